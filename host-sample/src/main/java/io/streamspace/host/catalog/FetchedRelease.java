package io.streamspace.host.catalog;

import java.nio.file.Path;

/**
 * A release of a plugin fetched from a plugin repository onto this node's disk, its SHA-512
 * checked against the repository's index and its {@code plugin.requires} against this host.
 *
 * @param zip a file of its own in a staging folder on the plugins folder's file system, so the
 *     host installs it by moving it; whoever takes it deletes it when done
 * @param sha512 the zip's SHA-512, lower-case hex, as the index gave it and the bytes matched
 * @param url where it was fetched from (a {@code file:} or {@code https:} URL), without its
 *     credentials ({@link ShownUrl}): it is shown and stored
 */
public record FetchedRelease(
    String pluginId, String version, Path zip, String sha512, String url) {}
