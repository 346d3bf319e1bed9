package io.gatekit.engine.internal.route;

import io.gatekit.api.Nullable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A character-level radix tree over the keys of prefix and parameter uris ({@code /a/} for
 * {@code /a/*}, {@code /user/} for {@code /user/:id}), like the rax tree lua-resty-radixtree uses.
 * One walk down the request path finds the deepest key that is a prefix of it; each node with
 * candidates links to the nearest ancestor that has some, so the router tries keys from longest
 * to shortest without a stack, a list or a second walk. Immutable once built.
 */
final class PrefixTree<T> {

    /** A node: the edge label from its parent, its children by first character, its candidates. */
    static final class Node<T> {
        /** A char[] copied next to the node, rather than a String (two objects away). */
        private final char[] label;
        /** The label's length; a one-character label needs no comparison, its parent matched it. */
        private final int labelLength;
        /**
         * Which ASCII characters start a child: bit {@code c} of {@code low} for c &lt; 64, bit
         * {@code c - 64} of {@code high} for c &lt; 128. A child's index is the number of set bits
         * below its own, so finding it reads no array but {@link #children}.
         */
        private final long low;
        private final long high;
        /** First characters of children, sorted, for the rare non-ASCII ones. */
        private final char[] firsts;
        private final Node<T>[] children;
        private final Candidate<T>[] candidates;
        private final @Nullable Node<T> shorterKey;

        @SuppressWarnings({"unchecked", "rawtypes"})
        private Node(Draft<T> draft, @Nullable Node<T> shorterKey) {
            this.label = draft.label.toCharArray();
            this.labelLength = label.length;
            this.candidates = draft.candidates;
            this.shorterKey = shorterKey;
            this.firsts = new char[draft.children.size()];
            this.children = new Node[draft.children.size()];
            Node<T> nearest = candidates.length > 0 ? this : shorterKey;
            // Children are built here, right after their parent, so each subtree is allocated in
            // one stretch and a walk down one key reads neighbouring memory. (A flat array laid
            // out breadth first measured slower at 10,000 routes.)
            long lowBits = 0;
            long highBits = 0;
            int i = 0;
            for (Map.Entry<Character, Draft<T>> e : draft.children.entrySet()) {
                char c = e.getKey();
                if (c < 64) {
                    lowBits |= 1L << c;
                } else if (c < 128) {
                    highBits |= 1L << (c - 64);
                }
                firsts[i] = c;
                children[i] = new Node<>(e.getValue(), nearest);
                i++;
            }
            this.low = lowBits;
            this.high = highBits;
        }

        /** A copy of {@code node} whose child at {@code index} is {@code child}. */
        private Node(Node<T> node, int index, Node<T> child) {
            this.label = node.label;
            this.labelLength = node.labelLength;
            this.candidates = node.candidates;
            this.shorterKey = node.shorterKey;
            this.firsts = node.firsts;
            this.children = node.children.clone();
            this.children[index] = child;
            this.low = node.low;
            this.high = node.high;
        }

        /** This node and everything under it, as drafts again. */
        private Draft<T> draft() {
            Draft<T> draft = new Draft<>(new String(label), candidates);
            for (int i = 0; i < children.length; i++) {
                draft.children.put(firsts[i], children[i].draft());
            }
            return draft;
        }

        /** The candidates filed under this node's key, best first; never empty on a found node. */
        Candidate<T>[] candidates() {
            return candidates;
        }

        /** The nearest ancestor with candidates: the next shorter key that is a prefix of the path. */
        @Nullable Node<T> shorterKey() {
            return shorterKey;
        }

        private @Nullable Node<T> child(char c) {
            // TreeMap order puts ASCII children first, in character order, so ranks are indexes.
            if (c < 64) {
                long bit = 1L << c;
                return (low & bit) == 0 ? null : children[Long.bitCount(low & (bit - 1))];
            }
            if (c < 128) {
                long bit = 1L << (c - 64);
                return (high & bit) == 0 ? null
                        : children[Long.bitCount(low) + Long.bitCount(high & (bit - 1))];
            }
            int index = Arrays.binarySearch(firsts, c);
            return index < 0 ? null : children[index];
        }

        /** Whether {@code path} goes on at {@code position} with this label (its first char matched). */
        private boolean continues(String path, int position) {
            if (position + labelLength > path.length()) {
                return false;
            }
            // Character by character: measured faster here than String.startsWith for short labels.
            for (int i = 1; i < labelLength; i++) {
                if (path.charAt(position + i) != label[i]) {
                    return false;
                }
            }
            return true;
        }
    }

    /** A mutable node, only while building. */
    private static final class Draft<T> {
        String label;
        final TreeMap<Character, Draft<T>> children = new TreeMap<>();
        Candidate<T>[] candidates;

        Draft(String label, Candidate<T>[] candidates) {
            this.label = label;
            this.candidates = candidates;
        }
    }

    private final Node<T> root;

    private PrefixTree(Node<T> root) {
        this.root = root;
    }

    /** A tree of {@code buckets}: each key with its candidates, already in order. */
    static <T> PrefixTree<T> of(Map<String, Candidate<T>[]> buckets, Candidate<T>[] none) {
        Draft<T> root = new Draft<>("", none);
        for (Map.Entry<String, Candidate<T>[]> bucket : buckets.entrySet()) {
            insert(root, bucket.getKey(), bucket.getValue(), none);
        }
        return new PrefixTree<>(new Node<>(root, null));
    }

    /**
     * A tree like this one with {@code candidates} filed under {@code key} ({@code none} to empty
     * it), this tree left as it is. Only the subtree under the deepest node whose key is a prefix
     * of {@code key} is rebuilt, since its nodes link up to their nearest ancestor with
     * candidates; the nodes above it are copied with one child replaced, and every other node is
     * shared. Nodes outside that subtree may keep linking to the old copies of their ancestors,
     * which hold the same candidates and links.
     */
    PrefixTree<T> with(String key, Candidate<T>[] candidates, Candidate<T>[] none) {
        List<Node<T>> path = new ArrayList<>();
        Node<T> node = root;
        int position = 0;
        while (true) {
            path.add(node);
            if (position == key.length()) {
                break;
            }
            Node<T> child = node.child(key.charAt(position));
            if (child == null || position + child.labelLength > key.length() || !child.continues(key, position)) {
                break;
            }
            position += child.labelLength;
            node = child;
        }
        Node<T> parent = path.size() > 1 ? path.get(path.size() - 2) : null;
        Node<T> nearest = parent == null ? null : parent.candidates.length > 0 ? parent : parent.shorterKey;
        Draft<T> draft = node.draft();
        insert(draft, key.substring(position), candidates, none);
        Node<T> rebuilt = new Node<>(draft, nearest);
        for (int i = path.size() - 2; i >= 0; i--) {
            Node<T> ancestor = path.get(i);
            char first = path.get(i + 1).label[0];
            rebuilt = new Node<>(ancestor, Arrays.binarySearch(ancestor.firsts, first), rebuilt);
        }
        return new PrefixTree<>(rebuilt);
    }

    private static <T> void insert(Draft<T> root, String key, Candidate<T>[] candidates, Candidate<T>[] none) {
        Draft<T> node = root;
        int position = 0;
        while (position < key.length()) {
            char c = key.charAt(position);
            Draft<T> child = node.children.get(c);
            if (child == null) {
                node.children.put(c, new Draft<>(key.substring(position), candidates));
                return;
            }
            int common = commonPrefix(child.label, key, position);
            if (common < child.label.length()) {
                // Split the edge: node -> middle (shared part) -> child (the rest).
                Draft<T> middle = new Draft<>(child.label.substring(0, common), none);
                child.label = child.label.substring(common);
                middle.children.put(child.label.charAt(0), child);
                node.children.put(c, middle);
                child = middle;
            }
            node = child;
            position += common;
        }
        node.candidates = candidates;
    }

    private static int commonPrefix(String label, String key, int from) {
        int max = Math.min(label.length(), key.length() - from);
        int i = 0;
        while (i < max && label.charAt(i) == key.charAt(from + i)) {
            i++;
        }
        return i;
    }

    /**
     * The node of the longest key that is a prefix of {@code path} and has candidates, or
     * {@code null}. Allocates nothing.
     */
    @Nullable Node<T> longestKeyOf(String path) {
        Node<T> node = root;
        Node<T> best = root.candidates.length > 0 ? root : null;
        int position = 0;
        int length = path.length();
        while (position < length) {
            Node<T> child = node.child(path.charAt(position));
            if (child == null || !child.continues(path, position)) {
                break;
            }
            position += child.labelLength;
            node = child;
            if (node.candidates.length > 0) {
                best = node;
            }
        }
        return best;
    }

    /** Lists every key with candidates, for tests and debugging. */
    void keys(List<String> out) {
        keys(root, "", out);
    }

    private static <T> void keys(Node<T> node, String prefix, List<String> out) {
        String key = prefix + new String(node.label);
        if (node.candidates.length > 0) {
            out.add(key);
        }
        for (Node<T> child : node.children) {
            keys(child, key, out);
        }
    }
}
