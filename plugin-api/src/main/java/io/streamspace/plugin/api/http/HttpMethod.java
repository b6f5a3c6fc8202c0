package io.streamspace.plugin.api.http;

/** HTTP methods a plugin route may answer. Stable since 0.1. */
public enum HttpMethod {
  GET,
  POST,
  PUT,
  PATCH,
  DELETE
}
