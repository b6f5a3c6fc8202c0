package io.streamspace.host.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretBoxTest {

  private static final String PLACE = "billing/stripeSecretKey";
  private static final String VALUE = "sk_live_round-trip-1234";

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
    SecretsKey first = SecretsKey.source(Map.of(), data).get();
    SecretsKey again = SecretsKey.source(Map.of(), data).get();

    Path file = data.resolve("secrets-key");
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertEquals(first.id(), again.id());
    assertEquals(first.key(), again.key());
  }

  @Test
  void theVariableWinsOverTheFile_andTwoNodesWithItShareTheirSecrets(@TempDir Path data) {
    String shared = randomKey();
    SecretsKey.source(Map.of(), data).get(); // a file key this node would use without the variable

    SecretsKey fromVariable =
        SecretsKey.source(Map.of("STREAMSPACE_SECRETS_KEY", shared), data).get();

    assertEquals(SecretsKey.of(shared, "x").id(), fromVariable.id());
    String sealed = boxWith(shared).seal(VALUE, PLACE);
    assertEquals(VALUE, new SecretBox(() -> fromVariable).open(sealed, PLACE));
  }

  @Test
  void aVariableThatIsNotA32ByteKey_isRefusedNamingTheVariable_notItsValue(@TempDir Path data) {
    IllegalArgumentException refused =
        assertThrows(
            IllegalArgumentException.class,
            () -> SecretsKey.source(Map.of("STREAMSPACE_SECRETS_KEY", "too-short-secret"), data));

    assertTrue(refused.getMessage().contains("STREAMSPACE_SECRETS_KEY"), refused.getMessage());
    assertFalse(refused.getMessage().contains("too-short-secret"));
  }

  @Test
  void aHostThatNeverStoresASecret_neverMakesAKey(@TempDir Path data) {
    new SecretBox(() -> SecretsKey.source(Map.of(), data).get());

    assertFalse(Files.exists(data.resolve("secrets-key")));
  }
}
