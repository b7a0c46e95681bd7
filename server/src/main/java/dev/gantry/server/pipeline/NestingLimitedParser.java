package dev.gantry.server.pipeline;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import org.snakeyaml.engine.v2.events.CollectionEndEvent;
import org.snakeyaml.engine.v2.events.CollectionStartEvent;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.parser.Parser;

/**
 * Stops a document from nesting deeper than a limit. The composer builds nodes recursively, so without this a file
 * of a few thousand {@code [} overflows the stack; counting events here stops it before the recursion goes deep.
 * It also remembers where the last event started, to place errors that the YAML library reports without a position.
 */
final class NestingLimitedParser implements Parser {
    private final Parser delegate;
    private final int maxDepth;
    private int depth;
    private Optional<Mark> lastMark = Optional.empty();

    NestingLimitedParser(Parser delegate, int maxDepth) {
        this.delegate = requireNonNull(delegate, "delegate is null");
        this.maxDepth = maxDepth;
    }

    @Override
    public boolean checkEvent(Event.ID choice) {
        return delegate.checkEvent(choice);
    }

    @Override
    public Event peekEvent() {
        return delegate.peekEvent();
    }

    @Override
    public boolean hasNext() {
        return delegate.hasNext();
    }

    @Override
    public Event next() {
        Event event = delegate.next();
        if (event.getStartMark().isPresent()) {
            lastMark = event.getStartMark();
        }
        if (event instanceof CollectionStartEvent) {
            depth++;
            if (depth > maxDepth) {
                throw new TooDeep(event.getStartMark());
            }
        } else if (event instanceof CollectionEndEvent) {
            depth--;
        }
        return event;
    }

    Optional<Mark> lastMark() {
        return lastMark;
    }

    static final class TooDeep extends RuntimeException {
        private final transient Optional<Mark> mark;

        TooDeep(Optional<Mark> mark) {
            super(null, null, false, false);
            this.mark = mark;
        }

        Optional<Mark> mark() {
            return mark;
        }
    }
}
