package io.gatekit.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Declares that, in the annotated package, parameters, return values and fields are non-null
 * unless marked {@link Nullable}. Every package of Gatekit carries it in its
 * {@code package-info.java}.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.PACKAGE)
public @interface NonNullByDefault {
}
