package dev.gantry.plugins.webhook;

import dev.gantry.plugin.api.notify.Notification;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The body posted for a notification. Slack (and Mattermost, Rocket.Chat, Discord's /slack endpoint) render
 * {@code text} and {@code blocks}; they ignore the {@code gantry} object, which carries the notification's plain
 * values (snake_case, as Gantry's API writes them) for receivers that are programs.
 */
final class SlackMessage {
    /** Slack refuses a section whose text is longer than this, or that has more than ten fields. */
    static final int MAX_SECTION_TEXT = 3000;
    static final int MAX_FIELD_TEXT = 2000;
    static final int MAX_FIELDS_PER_SECTION = 10;

    private SlackMessage() {
    }

    static String json(Notification notification) {
        return Json.write(body(notification));
    }

    static Map<String, Object> body(Notification notification) {
        Map<String, String> fields = new TreeMap<>(notification.fields());
        String headline = headline(notification);

        List<Object> blocks = new ArrayList<>();
        blocks.add(section(truncate(headline, MAX_SECTION_TEXT)));
        List<Object> fieldTexts = new ArrayList<>();
        fields.forEach((name, value) -> fieldTexts.add(mrkdwn(truncate("*" + escape(name) + "*\n" + escape(value), MAX_FIELD_TEXT))));
        for (int from = 0; from < fieldTexts.size(); from += MAX_FIELDS_PER_SECTION) {
            Map<String, Object> section = new LinkedHashMap<>();
            section.put("type", "section");
            section.put("fields", fieldTexts.subList(from, Math.min(from + MAX_FIELDS_PER_SECTION, fieldTexts.size())));
            blocks.add(section);
        }
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("type", "context");
        context.put("elements", List.of(mrkdwn(escape(notification.event()) + " · "
                + DateTimeFormatter.ISO_INSTANT.format(notification.occurredAt()))));
        blocks.add(context);

        Map<String, Object> gantry = new LinkedHashMap<>();
        gantry.put("event", notification.event());
        gantry.put("title", notification.title());
        gantry.put("text", notification.text());
        gantry.put("link", notification.link());
        gantry.put("fields", fields);
        gantry.put("occurred_at", DateTimeFormatter.ISO_INSTANT.format(notification.occurredAt()));

        Map<String, Object> body = new LinkedHashMap<>();
        // the fallback Slack shows in notifications and clients that do not render blocks
        body.put("text", headline);
        body.put("blocks", blocks);
        body.put("gantry", gantry);
        return body;
    }

    /** The title in bold, linked when there is a link, then the text. */
    private static String headline(Notification notification) {
        String title = escape(notification.title());
        String link = notification.link().isBlank() ? "" : notification.link().replace("|", "%7C");
        String heading = link.isEmpty() ? "*" + title + "*" : "*<" + escape(link) + "|" + title + ">*";
        return notification.text().isBlank() ? heading : heading + "\n" + escape(notification.text());
    }

    private static Map<String, Object> section(String text) {
        Map<String, Object> section = new LinkedHashMap<>();
        section.put("type", "section");
        section.put("text", mrkdwn(text));
        return section;
    }

    private static Map<String, Object> mrkdwn(String text) {
        Map<String, Object> element = new LinkedHashMap<>();
        element.put("type", "mrkdwn");
        element.put("text", text);
        return element;
    }

    /** Slack's control characters in mrkdwn; everything else is shown as written. */
    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static String truncate(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        int end = max - 1;
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end) + "…";
    }
}
