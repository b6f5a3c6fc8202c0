package io.streamspace.billing.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The OpenAPI 3.1 description of the plugin's routes, built from the {@link Operation}s they were
 * registered with ({@link DescribedRoutes}): paths in order, each operation with its security, and
 * the components its declarations use (schemas, parameters, answers), each written once. The
 * plugin hands it to the host through {@code HttpRoutes.describe}.
 */
public final class ApiDescription {

  static final String TITLE = "StreamSpace billing plugin";
  static final String VERSION = "0.2";

  /** What holds for every route; the host shows it as the plugin's own section. */
  static final String ABOUT =
      """
      Paths are relative to /api/plugins/billing. Money is a JSON number at its currency's \
      decimals; instants are ISO 8601. `x-roles` lists the platform roles that may call an \
      operation: `/admin/...` and the jobs need the platform admin. Every other operation with a \
      bearer acts on an organization, named by `org_id` (a query parameter on a GET or DELETE, a \
      member of the body on a POST or PUT) or, absent, the caller's personal organization; \
      `x-org-role` is the least role in it the caller needs (owner, then admin, then member: each \
      may do what the roles below it may), and a platform admin may act on any organization. The \
      role is the platform's: from its organization events, or, for the request, from the `orgs` \
      claim of its signed sign-in token (which wins for the organizations it names; never for a \
      personal organization). A caller without that role is refused 403 `not_a_member`, \
      `owner_required` or `admin_required`.""";

  private static final List<String> METHOD_ORDER = List.of("get", "put", "post", "delete", "patch");
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final Components schemas = new Components();
  private final Components parameters = new Components();
  private final Components responses = new Components();

  private ApiDescription() {}

  /** The document as JSON text. */
  public static String json(Collection<Operation> operations) {
    try {
      return MAPPER.writeValueAsString(document(operations));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The document: every operation under its path, and the components they use. */
  public static ObjectNode document(Collection<Operation> operations) {
    return new ApiDescription().build(operations);
  }

  private ObjectNode build(Collection<Operation> operations) {
    ObjectNode document = NODES.objectNode();
    document.put("openapi", "3.1.0");
    document
        .putObject("info")
        .put("title", TITLE)
        .put("version", VERSION)
        .put("description", ABOUT);
    ObjectNode paths = document.putObject("paths");
    operations.stream()
        .sorted(
            Comparator.comparing(Operation::path)
                .thenComparing(o -> METHOD_ORDER.indexOf(lower(o))))
        .forEach(o -> pathItem(paths, o.path()).set(lower(o), operation(o)));
    ObjectNode components = document.putObject("components");
    components
        .putObject("securitySchemes")
        .putObject("bearerAuth")
        .put("type", "http")
        .put("scheme", "bearer")
        .put("description", "a token of this host (roles admin, user)");
    components.set("schemas", node(schemas.nodes));
    components.set("parameters", node(parameters.nodes));
    components.set("responses", node(responses.nodes));
    return document;
  }

  private static ObjectNode pathItem(ObjectNode paths, String path) {
    return paths.get(path) instanceof ObjectNode item ? item : paths.putObject(path);
  }

  private static String lower(Operation operation) {
    return operation.method().name().toLowerCase(Locale.ROOT);
  }

  private ObjectNode operation(Operation operation) {
    if (operation.roles() == null) {
      throw new IllegalStateException(operation + " says nobody may call it");
    }
    if (operation.summary() == null || operation.description() == null) {
      throw new IllegalStateException(operation + " lacks its summary or description");
    }
    if (operation.answers().isEmpty()) {
      throw new IllegalStateException(operation + " answers nothing");
    }
    ObjectNode node = NODES.objectNode();
    node.put("summary", operation.summary());
    node.set("x-roles", node(operation.roles()));
    if (operation.orgRole() != null) {
      node.put("x-org-role", operation.orgRole());
    }
    node.put("description", operation.description());
    node.set("security", node(operation.security()));
    if (!operation.params().isEmpty()) {
      node.set("parameters", node(operation.params()));
    }
    if (operation.body() != null) {
      ObjectNode body = node.putObject("requestBody").put("required", operation.bodyRequired());
      body.putObject("content")
          .putObject(operation.bodyType())
          .set("schema", node(operation.body()));
    }
    ObjectNode answers = node.putObject("responses");
    operation
        .answers()
        .forEach((status, response) -> answers.set(status.toString(), node(response)));
    return node;
  }

  /** A declaration as JSON; each component met on the way is kept for {@code components}. */
  private JsonNode node(Object value) {
    if (value instanceof Schema schema) {
      if (schema.name() != null) {
        component(schemas, schema.name(), schema.definition(), schema.definition().keywords());
      }
      return node(schema.keywords());
    }
    if (value instanceof Param param) {
      if (param.name() != null) {
        component(parameters, param.name(), param.definition(), param.definition().keywords());
      }
      return node(param.keywords());
    }
    if (value instanceof Response response) {
      if (response.name() != null) {
        component(
            responses, response.name(), response.definition(), response.definition().keywords());
      }
      return node(response.keywords());
    }
    if (value == null) {
      return NODES.nullNode();
    }
    if (value instanceof JsonNode json) {
      return json;
    }
    if (value instanceof Map<?, ?> map) {
      ObjectNode object = NODES.objectNode();
      map.forEach((k, v) -> object.set(k.toString(), node(v)));
      return object;
    }
    if (value instanceof Collection<?> list) {
      ArrayNode array = NODES.arrayNode();
      list.forEach(v -> array.add(node(v)));
      return array;
    }
    if (value instanceof String text) {
      return NODES.textNode(text);
    }
    if (value instanceof Boolean flag) {
      return NODES.booleanNode(flag);
    }
    if (value instanceof Integer || value instanceof Long) {
      return NODES.numberNode(((Number) value).longValue());
    }
    if (value instanceof Number number) {
      return NODES.numberNode(new BigDecimal(number.toString()));
    }
    throw new IllegalArgumentException("not a declaration: " + value);
  }

  /** Keeps a component once; two declarations of one name are a fault of the plugin. */
  private void component(
      Components kind, String name, Object definition, Map<String, Object> keywords) {
    Object known = kind.definitions.putIfAbsent(name, definition);
    if (known == null) {
      kind.nodes.put(name, node(keywords));
    } else if (known != definition) {
      throw new IllegalStateException("two declarations of the component " + name);
    }
  }

  /** The components of one kind met so far: their JSON by name, and what declared each. */
  private static final class Components {
    private final Map<String, JsonNode> nodes = new TreeMap<>();
    private final Map<String, Object> definitions = new HashMap<>();
  }
}
