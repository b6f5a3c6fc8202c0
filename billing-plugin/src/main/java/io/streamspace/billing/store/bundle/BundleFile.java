package io.streamspace.billing.store.bundle;

/**
 * A file of the bundle that was read whole: its normalized path, its uncompressed size in bytes as
 * counted while reading (never the archive's header), and the SHA-256 of its bytes in lower-case
 * hex.
 */
public record BundleFile(String path, long size, String sha256) {}
