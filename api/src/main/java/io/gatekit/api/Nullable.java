package io.gatekit.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the one place in a null-marked package where {@code null} is allowed: a parameter, a
 * return value or a field. Everything not annotated is non-null (see {@link NonNullByDefault}).
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.METHOD, ElementType.PARAMETER, ElementType.FIELD, ElementType.TYPE_USE,
        ElementType.RECORD_COMPONENT})
public @interface Nullable {
}
