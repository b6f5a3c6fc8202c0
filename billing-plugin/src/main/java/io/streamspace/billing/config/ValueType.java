package io.streamspace.billing.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * How a key's JSON value is read (a value present in the saved config, JSON null included) and
 * written back, and what it allows ({@code 1-28}), stated once for refusals, the schema's
 * descriptions and the configuration reference. An object value may have members the schema
 * lists as keys of their own ({@code computeRates.cpu_per_core_hour}).
 */
record ValueType<T>(
    String schemaType,
    String allowed,
    Reader<T> reader,
    Function<T, JsonNode> writer,
    List<Member> members,
    List<String> choices) {

  /** Writes values as {@code ObjectNode.put} does. */
  static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  /**
   * Rates, prices and plan limits: from 0 to 10^12 (a trillion in any currency, beyond any real
   * price, and an invoice of such amounts still fits Stripe's 64-bit minor units) with at most 12
   * decimals (finer than any currency's minor unit; PostgreSQL cannot even store 1e-20000). JSON
   * null counts as absent.
   */
  static final ValueType<BigDecimal> AMOUNT = amount(12, 12);

  ValueType(String schemaType, String allowed, Reader<T> reader, Function<T, JsonNode> writer) {
    this(schemaType, allowed, reader, writer, List.of(), List.of());
  }

  ValueType(
      String schemaType,
      String allowed,
      Reader<T> reader,
      Function<T, JsonNode> writer,
      List<Member> members) {
    this(schemaType, allowed, reader, writer, members, List.of());
  }

  /** This type, taking only {@code names} (an enum's words), as the schema lists them. */
  ValueType<T> withChoices(List<String> names) {
    return new ValueType<>(schemaType, allowed, reader, writer, members, List.copyOf(names));
  }

  /** The value read; {@code fallback} when {@code at} was told why it is refused. */
  T read(JsonNode value, T fallback, Reading.At at) {
    return reader.read(value, fallback, at);
  }

  JsonNode write(T value) {
    return writer.apply(value);
  }

  interface Reader<T> {
    T read(JsonNode value, T fallback, Reading.At at);
  }

  /** A member of an object value, as the schema lists it. */
  record Member(String name, String schemaType, String description) {}

  static ValueType<Boolean> flag() {
    return new ValueType<>(
        "boolean",
        null,
        (value, fallback, at) ->
            value.isBoolean() ? value.booleanValue() : at.refuse("must be true or false", fallback),
        JSON::booleanNode);
  }

  /** A whole number from {@code min} to {@code max}. */
  static ValueType<Integer> whole(int min, int max) {
    return new ValueType<>(
        "integer",
        min + "-" + max,
        (value, fallback, at) -> {
          BigDecimal number = value.isNumber() ? value.decimalValue() : null;
          return number != null
                  && number.stripTrailingZeros().scale() <= 0
                  && number.compareTo(BigDecimal.valueOf(min)) >= 0
                  && number.compareTo(BigDecimal.valueOf(max)) <= 0
              ? number.intValueExact()
              : at.refuse("must be a whole number from " + min + " to " + max, fallback);
        },
        JSON::numberNode);
  }

  /**
   * A list of at most {@code maxSize} whole numbers from {@code min} to {@code max}, each
   * greater than the one before (an empty list too).
   */
  static ValueType<List<Integer>> increasingDays(int min, int max, int maxSize) {
    ValueType<Integer> day = whole(min, max);
    return list(
        "up to %d increasing whole numbers from %d to %d".formatted(maxSize, min, max),
        maxSize,
        (value, before, at) -> {
          Integer read = day.read(value, null, at);
          if (read != null && !before.isEmpty() && read <= before.get(before.size() - 1)) {
            return at.refuse("must be greater than the day before it", null);
          }
          return read;
        },
        ArrayNode::add);
  }

  /** A list of at most {@code maxSize} ids: non-empty strings, each listed once. */
  static ValueType<List<String>> names(int maxSize) {
    return list(
        "up to %d distinct ids".formatted(maxSize),
        maxSize,
        (value, before, at) -> {
          if (!value.isTextual() || value.textValue().isEmpty()) {
            return at.refuse("must be a non-empty string", null);
          }
          return before.contains(value.textValue())
              ? at.refuse("is listed twice", null)
              : value.textValue();
        },
        ArrayNode::add);
  }

  /** Reads an element of a list, knowing those before it; null once {@code at} refused it. */
  interface ElementReader<E> {
    E read(JsonNode value, List<E> before, Reading.At at);
  }

  /**
   * A list of at most {@code maxSize} elements, each read by {@code element}: a refused element
   * refuses the whole list (its fallback stays).
   */
  static <E> ValueType<List<E>> list(
      String allowed, int maxSize, ElementReader<E> element, BiConsumer<ArrayNode, E> write) {
    return new ValueType<>(
        "array",
        allowed,
        (value, fallback, at) -> {
          if (!value.isArray() || value.size() > maxSize) {
            return at.refuse("must be an array of " + allowed, fallback);
          }
          List<E> read = new ArrayList<>();
          for (int i = 0; i < value.size(); i++) {
            E next = element.read(value.get(i), read, at.element(i));
            if (next == null) {
              return fallback;
            }
            read.add(next);
          }
          return List.copyOf(read);
        },
        elements -> {
          ArrayNode array = JSON.arrayNode();
          elements.forEach(e -> write.accept(array, e));
          return array;
        });
  }

  /** Any string. */
  static ValueType<String> text() {
    return text(s -> s, null, s -> s);
  }

  /** A string that {@code convert} turns into a value, or refuses by answering null. */
  static <T> ValueType<T> text(
      Function<String, T> convert, String refusal, Function<T, String> written) {
    return text(
        "string",
        null,
        (s, at) -> Optional.ofNullable(convert.apply(s)).orElseGet(() -> at.refuse(refusal, null)),
        written);
  }

  /** One of {@code values}, each written as {@code name} gives it. */
  static <T> ValueType<T> oneOf(List<T> values, Function<T, String> name) {
    List<String> names = values.stream().map(name).toList();
    String allowed =
        String.join(", ", names.subList(0, names.size() - 1))
            + " or "
            + names.get(names.size() - 1);
    return text(
            "string",
            allowed,
            (s, at) ->
                names.contains(s)
                    ? values.get(names.indexOf(s))
                    : at.refuse("must be " + allowed, null),
            name)
        .withChoices(names);
  }

  static ValueType<ZoneId> zone() {
    return text(
        id -> {
          try {
            return ZoneId.of(id);
          } catch (DateTimeException e) {
            return null;
          }
        },
        "must be a time zone id, for example UTC or Europe/Paris",
        ZoneId::getId);
  }

  /** A cron expression, as the parser's {@link CronValidator} accepts it. */
  static ValueType<String> cron() {
    return text(
        "cron",
        null,
        (s, at) -> {
          String why = at.reading().cronValidator.problem(s).orElse(null);
          return why == null ? s : at.refuse(why, null);
        },
        s -> s);
  }

  /**
   * A secret: refused in the saved config, which a host that stores secrets never hands over
   * with one; the host reads it from {@code environmentVariable} or stores it apart, encrypted.
   */
  static ValueType<String> secretIn(String environmentVariable) {
    String refusal =
        "is a secret, never kept in the saved config: this host cannot store it; set the"
            + " environment variable "
            + environmentVariable
            + " instead";
    return new ValueType<>(
        "string", null, (value, fallback, at) -> at.refuse(refusal, fallback), JSON::textNode);
  }

  /** A string converted by {@code convert}, which answers null once it refused it. */
  private static <T> ValueType<T> text(
      String schemaType,
      String allowed,
      BiFunction<String, Reading.At, T> convert,
      Function<T, String> written) {
    return new ValueType<>(
        schemaType,
        allowed,
        (value, fallback, at) -> {
          T converted =
              value.isTextual()
                  ? convert.apply(value.textValue(), at)
                  : at.refuse("must be a string", null);
          return converted != null ? converted : fallback;
        },
        v -> JSON.textNode(written.apply(v)));
  }

  private static ValueType<BigDecimal> amount(int maxPowerOfTen, int maxDecimals) {
    BigDecimal max = BigDecimal.TEN.pow(maxPowerOfTen);
    String refusal =
        "must be a number from 0 to %s with at most %d decimals"
            .formatted(max.toPlainString(), maxDecimals);
    return new ValueType<>(
        "number",
        "0 to 10^%d with at most %d decimals".formatted(maxPowerOfTen, maxDecimals),
        (value, fallback, at) -> {
          if (value.isNull()) {
            return fallback;
          }
          BigDecimal number = value.isNumber() ? value.decimalValue() : null;
          boolean fits =
              number != null
                  && number.signum() >= 0
                  && number.compareTo(max) <= 0
                  && number.stripTrailingZeros().scale() <= maxDecimals;
          return fits ? number : at.refuse(refusal, fallback);
        },
        JSON::numberNode);
  }
}
