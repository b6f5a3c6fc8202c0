package io.streamspace.host.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** The host's error body: {@code {"error": {"code", "message", "field"?, "details"?}}}. */
public record ErrorBody(Error error) {

  /** The error itself; absent field and details are left out. */
  @JsonInclude(JsonInclude.Include.NON_EMPTY)
  public record Error(
      String code, String message, String field, List<ApiException.Detail> details) {}

  static ErrorBody of(ApiException e) {
    return new ErrorBody(new Error(e.code(), e.getMessage(), e.field(), e.details()));
  }
}
