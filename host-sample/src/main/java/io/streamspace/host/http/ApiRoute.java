package io.streamspace.host.http;

/**
 * One route as the API description names it: an upper-case method and a path with its
 * parameters in braces ({@code /api/admin/tokens/{id}}).
 */
public record ApiRoute(String method, String path) implements Comparable<ApiRoute> {

  @Override
  public int compareTo(ApiRoute other) {
    int byPath = path.compareTo(other.path);
    return byPath != 0 ? byPath : method.compareTo(other.method);
  }

  @Override
  public String toString() {
    return method + " " + path;
  }
}
