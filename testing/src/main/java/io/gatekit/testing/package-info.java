/**
 * Fixtures the modules' tests share. Not published; nothing in {@code src/main} of another module
 * may use it.
 */
package io.gatekit.testing;
