package io.gatekit.engine.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.gatekit.api.http.Exchange;
import io.gatekit.api.match.IpSet;
import io.gatekit.api.match.VarsExpression;
import io.gatekit.engine.internal.expr.Expr;
import io.gatekit.engine.internal.expr.VarSource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Binds the api's matcher types ({@link VarsExpression}, {@link IpSet}) in plugin configs to the
 * engine's own {@link Expr} and {@link IpSet}, so plugins match with exactly the rules routes
 * use and never carry a second implementation. A bad value fails the binding with a
 * {@link Rejected}, whose message {@link ConfigBinder} reports as it stands.
 */
final class MatchBindings {

    private MatchBindings() {
    }

    static SimpleModule module() {
        SimpleModule module = new SimpleModule("gatekit-match");
        module.addDeserializer(VarsExpression.class, new ExpressionDeserializer());
        module.addDeserializer(IpSet.class, new IpSetDeserializer());
        return module;
    }

    /** A config value the engine cannot compile; its message is the whole reason, as APISIX words it. */
    static final class Rejected extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        Rejected(String message) {
            super(message);
        }
    }

    private static String field(JsonParser parser) throws IOException {
        String name = parser.currentName();
        return name == null ? "vars" : name;
    }

    private static final class ExpressionDeserializer extends JsonDeserializer<VarsExpression> {
        @Override
        public VarsExpression deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            String field = field(parser);
            JsonNode rule = parser.readValueAsTree();
            try {
                return new CompiledVars(Expr.compile(rule));
            } catch (IllegalArgumentException e) {
                // APISIX's words for a bad vars, e.g. in response-rewrite's check_schema
                throw new Rejected("failed to validate the '" + field + "' expression: " + e.getMessage());
            }
        }
    }

    private static final class IpSetDeserializer extends JsonDeserializer<IpSet> {
        @Override
        public IpSet deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            String field = field(parser);
            JsonNode node = parser.readValueAsTree();
            if (!node.isArray()) {
                throw new Rejected(field + ": " + node + " (expected: an array of " + IpSet.expectedForm() + ")");
            }
            List<String> entries = new ArrayList<>(node.size());
            for (JsonNode entry : node) {
                if (!entry.isTextual() || !IpSet.isAddressOrCidr(entry.textValue())) {
                    // APISIX's words (ip-restriction's check_schema), and what it expects
                    throw new Rejected("invalid ip address: " + (entry.isTextual() ? entry.textValue() : entry)
                            + " (expected: " + IpSet.expectedForm() + ")");
                }
                entries.add(entry.textValue());
            }
            return IpSet.of(entries);
        }
    }

    /** An {@link Expr} over an exchange; the engine's exchange is its own variable source. */
    private record CompiledVars(Expr expr) implements VarsExpression {
        @Override
        public boolean test(Exchange exchange) {
            return expr.test(exchange instanceof VarSource vars ? vars : exchange::var);
        }

        @Override
        public String toString() {
            return expr.toString();
        }
    }
}
