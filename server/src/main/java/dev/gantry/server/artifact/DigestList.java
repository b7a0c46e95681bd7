package dev.gantry.server.artifact;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.BitSet;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Distinct SHA-256 digests in the order they were first added, held as four longs each. POST
 * /api/artifacts/missing handles a hundred thousand of them per request: as strings (one per JSON value, another
 * per normalized form, a set of them) they made most of its garbage and, with the collections around them, most
 * of its time.
 */
final class DigestList {
    private static final int WORDS = 4;
    private static final String PREFIX = "sha256:";
    private static final String UPPER_PREFIX = "SHA256:";
    /** {@code sha256:} and 64 hex digits. */
    static final int TEXT_LENGTH = PREFIX.length() + 64;

    /** Each byte as two lowercase hex digits. */
    private static final byte[] HEX_PAIRS = new byte[512];
    /** Each ASCII char's value as a hex digit, or -1. */
    private static final byte[] HEX_VALUES = new byte[128];

    static {
        byte[] hex = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
        for (int b = 0; b < 256; b++) {
            HEX_PAIRS[2 * b] = hex[b >>> 4];
            HEX_PAIRS[2 * b + 1] = hex[b & 0xf];
        }
        Arrays.fill(HEX_VALUES, (byte) -1);
        for (int i = 0; i < 16; i++) {
            HEX_VALUES[hex[i]] = (byte) i;
            HEX_VALUES[Character.toUpperCase(hex[i])] = (byte) i;
        }
    }

    private long[] words;
    private int size;
    /** Open addressing on the digests' bits: index + 1 of the digest in the slot, 0 when empty; made on first add. */
    private int[] slots;
    /** Seeds the slot hash, so that no one can choose digests that all land in one chain of slots. */
    private final long seed = ThreadLocalRandom.current().nextLong();
    /** The words of the digest {@link #parse} read last. */
    private final long[] parsed = new long[WORDS];

    DigestList() {
        this(16);
    }

    /** Room for {@code expected} digests before it grows. */
    DigestList(int expected) {
        words = new long[Math.max(expected, 4) * WORDS];
    }

    int size() {
        return size;
    }

    /**
     * Reads {@code sha256:<64 hex>} or the 64 hex digits alone, in either case (as {@link ArtifactDigest#tryParse}
     * does) and adds the digest unless it is already listed; false when the text is not a digest.
     */
    boolean addText(char[] text, int offset, int length) {
        if (!parse(text, offset, length)) {
            return false;
        }
        add(parsed[0], parsed[1], parsed[2], parsed[3]);
        return true;
    }

    boolean addText(String text) {
        return text != null && addText(text.toCharArray(), 0, text.length());
    }

    /** Where the digest written as {@code text} is in the list, or -1 (also when it is not a digest). */
    int indexOf(String text) {
        if (text == null || !parse(text.toCharArray(), 0, text.length())) {
            return -1;
        }
        if (slots == null) {
            rehash(tableSize(size));
        }
        return slots[slotOf(parsed[0], parsed[1], parsed[2], parsed[3])] - 1;
    }

    /** Adds the digest unless it is already listed; true when it was new. */
    boolean add(long w0, long w1, long w2, long w3) {
        if (slots == null || slots.length < tableSize(size + 1)) {
            rehash(tableSize(Math.max(size + 1, words.length / WORDS)));
        }
        int slot = slotOf(w0, w1, w2, w3);
        if (slots[slot] != 0) {
            return false;
        }
        if ((size + 1) * WORDS > words.length) {
            words = Arrays.copyOf(words, words.length * 2);
        }
        int at = size * WORDS;
        words[at] = w0;
        words[at + 1] = w1;
        words[at + 2] = w2;
        words[at + 3] = w3;
        slots[slot] = ++size;
        return true;
    }

    /**
     * The first eight bytes of each digest as a signed big-endian long, in order: what PostgreSQL matches against
     * the index on the same eight bytes of the stored digests. Two digests may share them.
     */
    long[] prefixes() {
        long[] prefixes = new long[size];
        for (int i = 0; i < size; i++) {
            prefixes[i] = words[i * WORDS];
        }
        return prefixes;
    }

    /** Writes {@code sha256:<64 lowercase hex>} into {@code into} from {@code offset}: {@link #TEXT_LENGTH} bytes of ASCII. */
    void writeText(int index, byte[] into, int offset) {
        int at = checkIndex(index) * WORDS;
        for (int i = 0; i < PREFIX.length(); i++) {
            into[offset + i] = (byte) PREFIX.charAt(i);
        }
        int out = offset + PREFIX.length();
        for (int w = 0; w < WORDS; w++) {
            long word = words[at + w];
            for (int shift = 56; shift >= 0; shift -= 8, out += 2) {
                int pair = 2 * ((int) (word >>> shift) & 0xff);
                into[out] = HEX_PAIRS[pair];
                into[out + 1] = HEX_PAIRS[pair + 1];
            }
        }
    }

    String text(int index) {
        byte[] text = new byte[TEXT_LENGTH];
        writeText(index, text, 0);
        return new String(text, StandardCharsets.US_ASCII);
    }

    /** Removes the digests whose index is set in {@code indexes}; the others keep their order. */
    void removeAll(BitSet indexes) {
        int kept = 0;
        for (int i = indexes.nextClearBit(0); i < size; i = indexes.nextClearBit(i + 1)) {
            System.arraycopy(words, i * WORDS, words, kept * WORDS, WORDS);
            kept++;
        }
        if (kept < size) {
            size = kept;
            slots = null;
        }
    }

    private int checkIndex(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("index " + index + " of " + size + " digests");
        }
        return index;
    }

    /** The slot that holds the digest, or the empty one where it would go. */
    private int slotOf(long w0, long w1, long w2, long w3) {
        int mask = slots.length - 1;
        int slot = hash(w0, w1, w2, w3) & mask;
        for (int held; (held = slots[slot]) != 0; slot = (slot + 1) & mask) {
            int at = (held - 1) * WORDS;
            if (words[at] == w0 && words[at + 1] == w1 && words[at + 2] == w2 && words[at + 3] == w3) {
                break;
            }
        }
        return slot;
    }

    /** Reads a digest's text into {@link #parsed}; false when it is not one. */
    private boolean parse(char[] text, int offset, int length) {
        int start = offset;
        if (length == TEXT_LENGTH) {
            for (int i = 0; i < PREFIX.length(); i++) {
                char c = text[offset + i];
                if (c != PREFIX.charAt(i) && c != UPPER_PREFIX.charAt(i)) {
                    return false;
                }
            }
            start += PREFIX.length();
        } else if (length != 64) {
            return false;
        }
        long w0 = 0;
        long w1 = 0;
        long w2 = 0;
        long w3 = 0;
        int invalid = 0;
        for (int i = start; i < start + 16; i++) {
            int d0 = hexValue(text[i]);
            int d1 = hexValue(text[i + 16]);
            int d2 = hexValue(text[i + 32]);
            int d3 = hexValue(text[i + 48]);
            invalid |= d0 | d1 | d2 | d3;
            w0 = (w0 << 4) | (d0 & 0xf);
            w1 = (w1 << 4) | (d1 & 0xf);
            w2 = (w2 << 4) | (d2 & 0xf);
            w3 = (w3 << 4) | (d3 & 0xf);
        }
        parsed[0] = w0;
        parsed[1] = w1;
        parsed[2] = w2;
        parsed[3] = w3;
        return invalid >= 0;
    }

    private void rehash(int tableSize) {
        slots = new int[tableSize];
        int mask = tableSize - 1;
        for (int i = 0; i < size; i++) {
            int at = i * WORDS;
            int slot = hash(words[at], words[at + 1], words[at + 2], words[at + 3]) & mask;
            while (slots[slot] != 0) {
                slot = (slot + 1) & mask;
            }
            slots[slot] = i + 1;
        }
    }

    /** A power of two at least twice {@code entries}: the table is at most half full. */
    private static int tableSize(int entries) {
        return Integer.highestOneBit(Math.max(entries, 2) * 2 - 1) * 2;
    }

    private int hash(long w0, long w1, long w2, long w3) {
        long h = seed;
        h = (h ^ w0) * 0x9E3779B97F4A7C15L;
        h = (Long.rotateLeft(h, 31) ^ w1) * 0x9E3779B97F4A7C15L;
        h = (Long.rotateLeft(h, 31) ^ w2) * 0x9E3779B97F4A7C15L;
        h = (Long.rotateLeft(h, 31) ^ w3) * 0x9E3779B97F4A7C15L;
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        return (int) h;
    }

    /**
     * The value of an ASCII hex digit of either case, or -1; by table, as a test for digit or letter is a branch
     * that random hex digits mispredict half the time (five times slower). Not {@link Character#digit}: it takes
     * other scripts' digits too.
     */
    private static int hexValue(char c) {
        return c < HEX_VALUES.length ? HEX_VALUES[c] : -1;
    }
}
