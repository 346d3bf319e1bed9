package io.gatekit.runner;

import java.util.Objects;

/**
 * A question a runner asks APISIX in the middle of a call: the value of a variable, the request
 * body or the response body.
 */
public sealed interface ExtraInfo permits ExtraInfo.Var, ExtraInfo.ReqBody, ExtraInfo.RespBody {

    /** The value of an nginx/APISIX variable, e.g. {@code remote_addr} or {@code server_port}. */
    static Var var(String name) {
        return new Var(name);
    }

    /** The whole request body. */
    static ReqBody requestBody() {
        return ReqBody.INSTANCE;
    }

    /** The whole upstream response body (only meaningful during an {@link HttpRespCall}). */
    static RespBody responseBody() {
        return RespBody.INSTANCE;
    }

    /**
     * A variable.
     *
     * @param name the variable name, without {@code $}
     */
    record Var(String name) implements ExtraInfo {
        public Var {
            Objects.requireNonNull(name, "name");
        }
    }

    /** The request body. */
    final class ReqBody implements ExtraInfo {
        private static final ReqBody INSTANCE = new ReqBody();

        private ReqBody() {
        }

        @Override
        public String toString() {
            return "ExtraInfo.ReqBody";
        }
    }

    /** The response body. */
    final class RespBody implements ExtraInfo {
        private static final RespBody INSTANCE = new RespBody();

        private RespBody() {
        }

        @Override
        public String toString() {
            return "ExtraInfo.RespBody";
        }
    }
}
