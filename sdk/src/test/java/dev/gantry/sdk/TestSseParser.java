package dev.gantry.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TestSseParser {
    private final List<String> events = new ArrayList<>();
    private final SseParser parser = new SseParser((type, id, data) -> events.add(type + "|" + id + "|" + data), 1 << 20);

    private void feed(String text) {
        parser.feed(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void readsEventsWithTypesIdsAndMultiLineData() {
        feed("event: snapshot\nid: 7\ndata: {\"flags\":\ndata:  []}\n\n: heartbeat\n\nevent: flag\nid: 8\ndata: {}\n\n");
        assertThat(events).containsExactly("snapshot|7|{\"flags\":\n []}", "flag|8|{}");
        assertThat(parser.lastEventId()).isEqualTo("8");
    }

    @Test
    void anIdLastsUntilReplacedAndCommentsDispatchNothing() {
        feed("id: 3\ndata: a\n\ndata: b\n\n: only a comment\n\nevent: flag\n\n");
        assertThat(events).containsExactly("message|3|a", "message|3|b");
    }

    @Test
    void acceptsEveryLineEndingAndChunksCutAnywhere() {
        String stream = "\uFEFFevent: flag\r\nid: 41\rdata: {\"key\": \"caf\u00e9-\u20ac\"}\n\r\nevent: flag_removed\nid:42\ndata:{\"key\":\"x\"}\r\r";
        byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
        List<String> expected = List.of("flag|41|{\"key\": \"caf\u00e9-\u20ac\"}", "flag_removed|42|{\"key\":\"x\"}");
        for (int cut = 0; cut <= bytes.length; cut++) {
            events.clear();
            SseParser fresh = new SseParser((type, id, data) -> events.add(type + "|" + id + "|" + data), 1 << 20);
            fresh.feed(ByteBuffer.wrap(bytes, 0, cut));
            fresh.feed(ByteBuffer.wrap(bytes, cut, bytes.length - cut));
            assertThat(events).as("cut at %d", cut).isEqualTo(expected);
        }
        events.clear();
        SseParser byteByByte = new SseParser((type, id, data) -> events.add(type + "|" + id + "|" + data), 1 << 20);
        for (byte b : bytes) {
            byteByByte.feed(ByteBuffer.wrap(new byte[] {b}));
        }
        assertThat(events).isEqualTo(expected);
    }

    @Test
    void anEventWithoutABlankLineAfterItIsNotDispatched() {
        feed("event: flag\nid: 9\ndata: {}\n");
        assertThat(events).isEmpty();
    }

    @Test
    void refusesLinesLongerThanItsLimit() {
        SseParser small = new SseParser((type, id, data) -> events.add(data), 1024);
        assertThatThrownBy(() -> small.feed(ByteBuffer.wrap(("data: " + "x".repeat(2000)).getBytes(StandardCharsets.UTF_8))))
                .isInstanceOf(IllegalStateException.class);
    }
}
