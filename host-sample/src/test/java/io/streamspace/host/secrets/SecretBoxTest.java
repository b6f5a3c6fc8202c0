package io.streamspace.host.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamspace.host.support.LogCapture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretBoxTest {

  private static final String PLACE = "billing/stripeSecretKey";
  private static final String VALUE = "sk_live_round-trip-1234";
  private static final String KEY = randomKey();

  private static String randomKey() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }

  private static SecretBox boxWith(String base64Key) {
    return new SecretBox(() -> SecretsKey.of(base64Key, "test"));
  }

  @Test
  void aSealedValueOpensAgain_andSealingTwiceGivesTwoDifferentTexts() {
    SecretBox box = boxWith(randomKey());

    String once = box.seal(VALUE, PLACE);
    String twice = box.seal(VALUE, PLACE);

    assertEquals(VALUE, box.open(once, PLACE));
    assertEquals(VALUE, box.open(twice, PLACE));
    assertNotEquals(once, twice, "a random nonce per value");
    assertTrue(once.startsWith("v1:"), once);
    assertFalse(
        once.contains(VALUE)
            || once.contains(
                Base64.getEncoder()
                    .encodeToString(VALUE.getBytes(java.nio.charset.StandardCharsets.UTF_8))),
        once);
  }

  @Test
  void anotherKey_failsNamingBothKeyIdsAndTheVariable_neverTheValue() {
    String sealed = boxWith(randomKey()).seal(VALUE, PLACE);

    SecretBox.UnreadableSecret refused =
        assertThrows(
            SecretBox.UnreadableSecret.class, () -> boxWith(randomKey()).open(sealed, PLACE));

    assertTrue(refused.getMessage().contains("STREAMSPACE_SECRETS_KEY"), refused.getMessage());
    assertTrue(refused.getMessage().contains(PLACE), refused.getMessage());
    assertTrue(refused.getMessage().contains(sealed.split(":")[1]), refused.getMessage());
    assertFalse(refused.getMessage().contains(VALUE));
  }

  @Test
  void aValueAlteredOrCopiedToAnotherPlace_doesNotOpen() {
    SecretBox box = boxWith(randomKey());
    String sealed = box.seal(VALUE, PLACE);
    char last = sealed.charAt(sealed.length() - 3);
    String altered =
        sealed.substring(0, sealed.length() - 3)
            + (last == 'A' ? 'B' : 'A')
            + sealed.substring(sealed.length() - 2);

    assertThrows(SecretBox.UnreadableSecret.class, () -> box.open(altered, PLACE));
    assertThrows(
        SecretBox.UnreadableSecret.class, () -> box.open(sealed, "billing/stripeWebhookSecret"));
  }

  @Test
  void withoutTheVariable_theKeyIsGeneratedOnceIntoAnOwnerOnlyFile(@TempDir Path data)
      throws Exception {
    SecretsKey first = SecretsKey.source(Map.of(), data, Map.of()).get();
    SecretsKey again = SecretsKey.source(Map.of(), data, Map.of()).get();

    Path file = data.resolve("secrets-key");
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertEquals(first.id(), again.id());
    assertEquals(first.key(), again.key());
  }

  @Test
  void theVariableWinsOverTheFile_andTwoNodesWithItShareTheirSecrets(@TempDir Path data) {
    String shared = randomKey();
    SecretsKey.source(Map.of(), data, Map.of())
        .get(); // a file key this node would use without the variable

    SecretsKey fromVariable =
        SecretsKey.source(Map.of("STREAMSPACE_SECRETS_KEY", shared), data, Map.of()).get();

    assertEquals(SecretsKey.of(shared, "x").id(), fromVariable.id());
    String sealed = boxWith(shared).seal(VALUE, PLACE);
    assertEquals(VALUE, new SecretBox(() -> fromVariable).open(sealed, PLACE));
  }

  @Test
  void aVariableThatIsNotA32ByteKey_isRefusedNamingTheVariable_notItsValue(@TempDir Path data) {
    IllegalArgumentException refused =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                SecretsKey.source(
                    Map.of("STREAMSPACE_SECRETS_KEY", "too-short-secret"), data, Map.of()));

    assertTrue(refused.getMessage().contains("STREAMSPACE_SECRETS_KEY"), refused.getMessage());
    assertFalse(refused.getMessage().contains("too-short-secret"));
  }

  @Test
  void aHostThatNeverStoresASecret_neverMakesAKey(@TempDir Path data) {
    new SecretBox(() -> SecretsKey.source(Map.of(), data, Map.of()).get());

    assertFalse(Files.exists(data.resolve("secrets-key")));
  }

  @Test
  void aValueAnotherKeySealed_opensAsEmpty_reportedOncePerPlaceAndValue_neverTheValue() {
    String sealed = boxWith(randomKey()).seal(VALUE, PLACE);
    String sealedAgain = boxWith(randomKey()).seal(VALUE, PLACE);
    SecretBox box = boxWith(randomKey());

    List<String> logged =
        LogCapture.during(
            () -> {
              assertEquals(Optional.empty(), box.openIfReadable(sealed, PLACE));
              assertEquals(Optional.empty(), box.openIfReadable(sealed, PLACE));
              assertEquals(Optional.empty(), box.openIfReadable(sealedAgain, PLACE));
            });

    List<String> warnings = logged.stream().filter(line -> line.startsWith("WARN ")).toList();
    assertEquals(2, warnings.size(), "once for each value stored there: " + logged);
    assertTrue(warnings.get(0).contains(PLACE + " was encrypted with secrets key"), logged.get(0));
    assertTrue(warnings.get(0).contains("counts as unset"), logged.get(0));
    assertTrue(logged.stream().noneMatch(line -> line.contains(VALUE)));
    assertEquals(
        Optional.of(VALUE), boxWith(KEY).openIfReadable(boxWith(KEY).seal(VALUE, PLACE), PLACE));
  }

  @Test
  void storedSecretsWithoutTheKeyFile_areRefusedNamingTheVariableAndTheFile_makingNoKey(
      @TempDir Path data) {
    Map<String, String> sealedWith = Map.of(PLACE, "0a1b2c3d");

    IllegalStateException refused =
        assertThrows(
            IllegalStateException.class, () -> SecretsKey.source(Map.of(), data, sealedWith));

    assertTrue(refused.getMessage().contains("STREAMSPACE_SECRETS_KEY"), refused.getMessage());
    assertTrue(
        refused.getMessage().contains(data.resolve("secrets-key").toString()),
        refused.getMessage());
    assertTrue(refused.getMessage().contains(PLACE + ") were encrypted with secrets key 0a1b2c3d"));
    assertFalse(Files.exists(data.resolve("secrets-key")));
  }

  @Test
  void storedSecrets_withTheKeyFileOrTheVariable_areNoReasonToRefuse(@TempDir Path data) {
    SecretsKey made = SecretsKey.source(Map.of(), data, Map.of()).get();
    Map<String, String> sealedWith = Map.of(PLACE, made.id());

    assertEquals(made.id(), SecretsKey.source(Map.of(), data, sealedWith).get().id());
    String variable = randomKey();
    assertEquals(
        SecretsKey.of(variable, "x").id(),
        SecretsKey.source(
                Map.of("STREAMSPACE_SECRETS_KEY", variable), data.resolve("elsewhere"), sealedWith)
            .get()
            .id());
  }
}
