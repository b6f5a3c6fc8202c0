package io.streamspace.host.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;

/**
 * JSON Merge Patch (RFC 7396): a patch object names only what changes. A member set to null is
 * removed, an object member is merged into the target's object of that name, anything else
 * (arrays included) replaces the target's value.
 */
public final class JsonMergePatch {

  private JsonMergePatch() {}

  /** The target with the patch applied; the target is changed in place and returned. */
  public static ObjectNode apply(ObjectNode target, ObjectNode patch) {
    for (Iterator<Map.Entry<String, JsonNode>> members = patch.fields(); members.hasNext(); ) {
      Map.Entry<String, JsonNode> member = members.next();
      String name = member.getKey();
      JsonNode value = member.getValue();
      if (value.isNull()) {
        target.remove(name);
      } else if (value instanceof ObjectNode object) {
        JsonNode existing = target.get(name);
        ObjectNode merged = existing instanceof ObjectNode o ? o : target.objectNode();
        target.set(name, apply(merged, object));
      } else {
        target.set(name, value.deepCopy());
      }
    }
    return target;
  }
}
