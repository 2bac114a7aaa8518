package io.e4j.server.internal.store;

/** A device found in the store: its ID and its name, if it has one. */
public record KnownDevice(byte[] id, String name) {}
