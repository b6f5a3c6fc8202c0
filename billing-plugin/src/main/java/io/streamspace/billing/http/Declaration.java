package io.streamspace.billing.http;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What {@link Schema}, {@link Param} and {@link Response} share: OpenAPI keywords declared
 * fluently, written where they are used, or once under {@code components} when the declaration is
 * a component (a name and its definition, referred to by {@code $ref}).
 *
 * <p><b>Frozen once declared.</b> The declarations are constants shared by many routes. A
 * component's definition is frozen when the component is made, and everything an operation holds
 * when it is registered ({@link Operation#freeze}), so no later call can change what a document
 * already says or what another route's answer means: changing one throws {@link
 * IllegalStateException}.
 *
 * @param <T> the declaration's own type, which its fluent calls return
 */
abstract class Declaration<T extends Declaration<T>> {

  private final String name;
  private final T definition;
  private final Map<String, Object> keywords = new LinkedHashMap<>();
  private boolean frozen;

  /**
   * @param name the component's name; null for a declaration written where it is used
   * @param definition the component's definition, frozen here; null with a null name
   */
  Declaration(String name, T definition) {
    this.name = name;
    this.definition = definition;
    if (definition != null) {
      definition.freeze();
      frozen = true;
    }
  }

  abstract T self();

  /** Sets {@code keyword}; a component, or a declaration frozen, cannot change. */
  final T set(String keyword, Object value) {
    mutableKeywords().put(keyword, value);
    return self();
  }

  /** The map under {@code keyword} (made empty when absent), to add a member to. */
  @SuppressWarnings("unchecked")
  final <V> Map<String, V> member(String keyword) {
    return (Map<String, V>) mutableKeywords().computeIfAbsent(keyword, k -> new LinkedHashMap<>());
  }

  /** The keywords to change: refused for a component and once frozen. */
  final Map<String, Object> mutableKeywords() {
    if (name != null) {
      throw new IllegalStateException("the component " + name + " is declared already");
    }
    if (frozen) {
      throw new IllegalStateException("declared already, and used: " + keywords);
    }
    return keywords;
  }

  /** No further change, of it or of the declarations it holds. */
  final void freeze() {
    if (!frozen) {
      frozen = true;
      keywords.values().forEach(Declaration::freezeWithin);
    }
  }

  /** Freezes the declarations in a keyword's value: itself, a list's or a map's. */
  static void freezeWithin(Object value) {
    if (value instanceof Declaration<?> declaration) {
      declaration.freeze();
    } else if (value instanceof Collection<?> values) {
      values.forEach(Declaration::freezeWithin);
    } else if (value instanceof Map<?, ?> values) {
      values.values().forEach(Declaration::freezeWithin);
    }
  }

  /** The component's name; null for a declaration written where it is used. */
  final String name() {
    return name;
  }

  /** What is written under {@code components}: the definition of a component, else itself. */
  final T definition() {
    return definition == null ? self() : definition;
  }

  /** Its own keywords, as declared (a component's are those it adds to its reference). */
  final Map<String, Object> ownKeywords() {
    return keywords;
  }

  /** A component's reference: {@code {"$ref": "#/components/<kind>/<name>"}}. */
  final Map<String, Object> reference(String kind) {
    Map<String, Object> reference = new LinkedHashMap<>();
    reference.put("$ref", "#/components/" + kind + "/" + name);
    return reference;
  }
}
