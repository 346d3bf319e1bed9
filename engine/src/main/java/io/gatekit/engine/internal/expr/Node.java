package io.gatekit.engine.internal.expr;

/**
 * A compiled piece of an expression. Nodes are immutable; {@link #test} reads variables and
 * allocates nothing of its own.
 */
abstract class Node {

    /** The empty expression {@code []}: lua-resty-expr treats it as always true. */
    static final Node ALWAYS = new Node() {
        @Override
        boolean test(VarSource vars) {
            return true;
        }
    };

    abstract boolean test(VarSource vars);

    /** {@code ["AND", ...]}, an array of rules, or (negated) {@code ["!AND", ...]}. */
    static final class All extends Node {
        private final Node[] nodes;
        private final boolean negated;

        All(Node[] nodes, boolean negated) {
            this.nodes = nodes;
            this.negated = negated;
        }

        @Override
        boolean test(VarSource vars) {
            for (Node node : nodes) {
                if (!node.test(vars)) {
                    return negated;
                }
            }
            return !negated;
        }
    }

    /** {@code ["OR", ...]} or (negated) {@code ["!OR", ...]}. */
    static final class Any extends Node {
        private final Node[] nodes;
        private final boolean negated;

        Any(Node[] nodes, boolean negated) {
            this.nodes = nodes;
            this.negated = negated;
        }

        @Override
        boolean test(VarSource vars) {
            for (Node node : nodes) {
                if (node.test(vars)) {
                    return !negated;
                }
            }
            return negated;
        }
    }
}
