/**
 * E4 for devices: {@link io.e4j.core.E4Client} protects and unprotects messages and applies C2's
 * commands; {@link io.e4j.core.ClientStore} keeps its state; {@link io.e4j.core.Commands} and
 * {@link io.e4j.core.Keys} are the C2 side's building blocks; every failure is an {@link
 * io.e4j.core.E4Exception} with a {@link io.e4j.core.E4Exception.Reason}.
 *
 * <p>Everything under {@code io.e4j.core.internal} is implementation and may change without notice.
 */
package io.e4j.core;
