package io.gatekit.engine.internal;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyName;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.AnnotatedParameter;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.ArrayList;
import java.util.List;

/**
 * Binds validated JSON to a plugin's typed config. JSON keys in APISIX style ({@code snake_case})
 * bind to Java's {@code camelCase} members as well as to members of the same name, so plugin
 * authors write idiomatic records without annotations (the api has no Jackson dependency).
 * Only member names get aliases; keys of maps are left alone.
 */
final class ConfigBinder {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .annotationIntrospector(new SnakeCaseAliases())
            .addModule(MatchBindings.module())
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private ConfigBinder() {
    }

    /** The shared mapper, also used to parse config documents. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /**
     * Binds {@code json} to {@code type}.
     *
     * @throws IllegalArgumentException naming the field that does not fit
     */
    public static <T> T bind(JsonNode json, Class<T> type) {
        if (type == Void.class) {
            return null;
        }
        if (type == JsonNode.class) {
            return type.cast(json);
        }
        try {
            return MAPPER.treeToValue(json, type);
        } catch (Exception e) {
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof MatchBindings.Rejected rejected) {
                    throw new IllegalArgumentException(rejected.getMessage(), e);
                }
            }
            throw new IllegalArgumentException("cannot bind config to " + type.getName() + ": "
                    + firstLine(e.getMessage()), e);
        }
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unknown error";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    /** Adds {@code snake_case} aliases to every member name that has an upper-case letter. */
    private static final class SnakeCaseAliases extends JacksonAnnotationIntrospector {
        private static final long serialVersionUID = 1L;

        @Override
        public List<PropertyName> findPropertyAliases(Annotated member) {
            List<PropertyName> declared = super.findPropertyAliases(member);
            String name = member.getName();
            if ((name == null || name.isEmpty()) && member instanceof AnnotatedParameter parameter) {
                // a record's canonical constructor parameter has no name of its own here
                Class<?> owner = parameter.getDeclaringClass();
                if (owner.isRecord() && parameter.getIndex() < owner.getRecordComponents().length) {
                    name = owner.getRecordComponents()[parameter.getIndex()].getName();
                }
            }
            if (name == null || name.chars().noneMatch(Character::isUpperCase)) {
                return declared;
            }
            List<PropertyName> aliases = declared == null ? new ArrayList<>() : new ArrayList<>(declared);
            aliases.add(PropertyName.construct(snakeCase(name)));
            return aliases;
        }

        private static String snakeCase(String camel) {
            StringBuilder sb = new StringBuilder(camel.length() + 4);
            for (int i = 0; i < camel.length(); i++) {
                char c = camel.charAt(i);
                if (Character.isUpperCase(c)) {
                    sb.append('_').append(Character.toLowerCase(c));
                } else {
                    sb.append(c);
                }
            }
            return sb.toString();
        }
    }
}
