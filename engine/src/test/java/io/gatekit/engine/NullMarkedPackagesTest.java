package io.gatekit.engine;

import io.gatekit.testing.NullMarkedPackagesCheck;

/** Every package of this module declares {@code @NonNullByDefault}. */
class NullMarkedPackagesTest extends NullMarkedPackagesCheck {
}
