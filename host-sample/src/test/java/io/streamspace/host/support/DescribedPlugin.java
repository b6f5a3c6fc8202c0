package io.streamspace.host.support;

import io.streamspace.plugin.api.PlatformPlugin;
import io.streamspace.plugin.api.PluginContext;
import io.streamspace.plugin.api.http.HttpMethod;
import io.streamspace.plugin.api.http.HttpResponse;

/**
 * A test plugin that describes its routes: {@code GET /things/{id}} and {@code POST /things},
 * described with a schema {@code Thing} (every instance names its schema so, so two of them
 * would clash without namespacing). A faithful one stops there; an unfaithful one also serves
 * {@code GET /hidden}, which it does not describe, and describes {@code GET /ghost}, which it
 * does not serve.
 */
public final class DescribedPlugin implements PlatformPlugin {

  private static final String DESCRIPTION =
      """
      {"openapi": "3.1.0",
       "info": {"title": "described", "version": "1.0", "description": "What holds for every route."},
       "security": [{"token": []}],
       "paths": {
         "/things/{id}": {
           "parameters": [{"$ref": "#/components/parameters/ThingId"}],
           "get": {"operationId": "thing", "responses": {"200": {"$ref": "#/components/responses/AThing"}}}},
         "/things": {
           "post": {"operationId": "makeThing", "tags": ["things"], "security": [],
                    "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
                    "responses": {"201": {"$ref": "#/components/responses/AThing"}}}}
         %s
       },
       "components": {
         "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
         "parameters": {"ThingId": {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}},
         "responses": {"AThing": {"description": "a thing", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}},
         "schemas": {"Thing": {"type": "object", "properties": {"name": {"type": "string"}}}}
       }}""";

  private static final String GHOST =
      ", \"/ghost\": {\"get\": {\"responses\": {\"200\": {\"description\": \"nothing\"}}}}";

  private final boolean faithful;

  public DescribedPlugin(boolean faithful) {
    this.faithful = faithful;
  }

  @Override
  public void onLoad(PluginContext context) {
    var routes = context.routes();
    routes.add(HttpMethod.GET, "/things/{id}", request -> HttpResponse.json(200, "{}"));
    routes.add(HttpMethod.POST, "/things", request -> HttpResponse.json(201, "{}"));
    if (!faithful) {
      routes.add(HttpMethod.GET, "/hidden", request -> HttpResponse.json(200, "{}"));
    }
    routes.describe(DESCRIPTION.formatted(faithful ? "" : GHOST));
  }
}
