package io.streamspace.host.openapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class ApiReferenceMarkdownTest {

  private static final String DOCUMENT =
      """
      {"openapi": "3.1.0", "info": {"title": "t", "version": "1", "description": "For all."},
       "tags": [{"name": "tokens"}, {"name": "notes", "description": "What holds for notes."}],
       "paths": {
         "/api/admin/tokens/{id}": {"delete": {"tags": ["tokens"], "summary": "revokes it",
           "description": "At once.\\n\\nNeeds a bearer token with the role admin.",
           "x-roles": ["admin"], "security": [{"bearer": []}],
           "parameters": [{"name": "id", "in": "path", "required": true,
             "schema": {"type": "string", "pattern": "^[0-9]+$"}}],
           "responses": {"204": {"description": "revoked"},
             "404": {"$ref": "#/components/responses/NotFound",
                     "description": "no token of that id"}}}},
         "/api/plugins/notes/notes": {"post": {"tags": ["notes"], "summary": "adds a note",
           "description": "Stored under /api/plugins/<id>; the id is `<id>`.",
           "x-roles": ["user", "admin"], "x-org-role": "member",
           "security": [{"notes.bearer": []}],
           "requestBody": {"required": true, "content": {"application/json": {"schema":
             {"type": "object", "required": ["text"], "properties": {
               "text": {"type": "string", "description": "at most 1|2 KB"},
               "kind": {"enum": ["plain", "rich"]},
               "meta": {"type": "object", "properties": {"tags": {"type": "array",
                 "items": {"type": "string"}, "maxItems": 5}}}}}}}},
           "responses": {"201": {"description": "added", "content": {"application/json":
             {"schema": {"$ref": "#/components/schemas/notes.Note"}}}}}},
           "get": {"tags": ["notes"], "summary": "lists them", "security": [],
             "x-roles": [], "responses": {"200": {"description": "the notes"}}}}},
       "components": {
         "responses": {"NotFound": {"description": "no such thing",
           "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}},
         "schemas": {
           "Error": {"type": "object", "properties": {"error": {"type": "object",
             "required": ["code"], "properties": {"code": {"type": "string"}}}}},
           "notes.Note": {"type": "object", "properties": {"id": {"type": ["integer", "null"]}}}}}}
      """;

  private final String page = ApiReferenceMarkdown.render(read(DOCUMENT));

  @Test
  void eachOperationHasItsHeadingWhoMayCallItAndItsAnswers() {
    assertTrue(page.contains("#### `DELETE /api/admin/tokens/{id}`\n\nrevokes it\n"), page);
    assertTrue(page.contains("Who may call it: a bearer token with the role `admin`."), page);
    // the host's sentence stating the roles again is not repeated
    assertTrue(page.contains("At once.\n\n|"), page);
    assertFalse(page.contains("Needs a bearer token"), page);
    assertTrue(
        page.contains(
            "Who may call it: a bearer token with the role `user` or `admin`; acting on an"
                + " organization, the role `member` or above in it."),
        page);
    assertTrue(page.contains("Who may call it: anyone, no token needed."), page);
    assertTrue(page.contains("| `id` | path | string, matching `^[0-9]+$` | yes |  |"), page);
    // a reference's own description wins over the referenced response's
    assertTrue(page.contains("| 404 | no token of that id | [`Error`](#error) |"), page);
    assertTrue(page.contains("| 201 | added | [`notes.Note`](#notesnote) |"), page);
  }

  @Test
  void theHostsOperationsComeByTagAndAPluginsUnderItsMountWithItsTagsDescription() {
    assertTrue(page.indexOf("## Host") < page.indexOf("### Host routes: tokens"), page);
    assertTrue(page.indexOf("### Host routes: tokens") < page.indexOf("## Plugin `notes`"), page);
    assertTrue(
        page.contains("## Plugin `notes` (`/api/plugins/notes`)\n\nWhat holds for notes.\n"), page);
    // a plugin's untagged operations, by who may call them
    assertTrue(page.contains("### notes: for signed-in callers\n"), page);
    assertTrue(page.contains("### notes: open routes\n"), page);
    assertTrue(page.indexOf("## Plugin `notes`") < page.indexOf("## Schemas"), page);
  }

  @Test
  void bodyFieldsAndSchemasAreListedFieldByField_nestedOnesByTheirPath() {
    assertTrue(page.contains("| `text` | string | yes | at most 1\\|2 KB |"), page);
    assertTrue(page.contains("| `kind` | one of `plain`, `rich` | no |  |"), page);
    assertTrue(page.contains("| `meta.tags` | array of string, 0 to 5 items | no |  |"), page);
    assertTrue(page.contains("### `notes.Note`"), page);
    assertTrue(page.contains("| `id` | integer or null | no |  |"), page);
    assertTrue(page.contains("| `error.code` | string | yes |  |"), page);
  }

  @Test
  void angleBracketsOutsideCodeAreEntitiesSoGitHubShowsThem() {
    assertTrue(page.contains("Stored under /api/plugins/&lt;id&gt;; the id is `<id>`."), page);
    assertFalse(page.contains("/api/plugins/<id>"), page);
  }

  @Test
  void anchorsAreGitHubsSlugsOfTheHeadings() {
    assertEquals(
        "delete-apiadmintokensid", ApiReferenceMarkdown.anchor("DELETE /api/admin/tokens/{id}"));
    assertEquals("billinginvoice", ApiReferenceMarkdown.anchor("billing.Invoice"));
    assertEquals(
        "the-billing-plugins-routes", ApiReferenceMarkdown.anchor("The billing plugin's routes"));
  }

  private static JsonNode read(String json) {
    try {
      return new ObjectMapper().readTree(json);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
