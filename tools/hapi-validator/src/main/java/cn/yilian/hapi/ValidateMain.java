package cn.yilian.hapi;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import ca.uhn.fhir.validation.ValidationResult;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;

/**
 * Validates FHIR R4 JSON resources with the HAPI FHIR instance validator (the HL7 core validator
 * behind {@link FhirInstanceValidator}), the base R4 profiles only, no terminology server.
 *
 * <p>Arguments: files or directories ({@code *.json}: one resource; {@code *.ndjson}: one a line),
 * and {@code --out <file>} for the whole result as JSON. Prints, per resource, its errors (error,
 * fatal) with their location, then {@code SUMMARY <json>} on the last line. Exit 0 whatever was
 * found (1 only for a bad argument or unreadable input): the caller reads the counts.
 */
public final class ValidateMain {
  private static final ObjectMapper JSON = new ObjectMapper();

  private record Input(String name, String text) {}

  public static void main(String[] args) throws IOException {
    // HAPI's loading chatter (INFO) and the lenient parser's warnings go nowhere; errors still show.
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "error");
    Path out = null;
    boolean warnings = false;
    List<Path> paths = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--out" -> out = Path.of(args[++i]);
        case "--warnings" -> warnings = true;
        default -> paths.add(Path.of(args[i]));
      }
    }
    if (paths.isEmpty()) {
      System.err.println("usage: ValidateMain [--out result.json] [--warnings] <file|dir>...");
      System.exit(1);
    }
    List<Input> inputs = new ArrayList<>();
    for (Path p : paths) collect(p, inputs);

    FhirContext ctx = FhirContext.forR4Cached();
    ValidationSupportChain chain =
        new ValidationSupportChain(
            new DefaultProfileValidationSupport(ctx),
            new CommonCodeSystemsTerminologyService(ctx),
            new InMemoryTerminologyServerValidationSupport(ctx),
            new SnapshotGeneratingValidationSupport(ctx));
    FhirInstanceValidator module = new FhirInstanceValidator(chain);
    FhirValidator validator = ctx.newValidator().registerValidatorModule(module);

    PrintStream stdout = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    ObjectNode result = JSON.createObjectNode();
    ArrayNode resources = result.putArray("resources");
    Map<String, int[]> byType = new TreeMap<>(); // type -> {count, errors, warnings}
    int totalErrors = 0;
    int totalWarnings = 0;
    for (Input in : inputs) {
      String type = "?";
      String id = "";
      try {
        JsonNode node = JSON.readTree(in.text());
        type = node.path("resourceType").asText("?");
        id = node.path("id").asText("");
      } catch (IOException e) {
        // not JSON: the validator says so below
      }
      ValidationResult r = validator.validateWithResult(in.text());
      ObjectNode res = resources.addObject();
      res.put("input", in.name());
      res.put("resourceType", type);
      res.put("id", id);
      ArrayNode issues = res.putArray("issues");
      int errors = 0;
      int warns = 0;
      List<String> lines = new ArrayList<>();
      for (SingleValidationMessage m : r.getMessages()) {
        ResultSeverityEnum s = m.getSeverity();
        boolean error = s == ResultSeverityEnum.ERROR || s == ResultSeverityEnum.FATAL;
        if (error) errors++;
        if (s == ResultSeverityEnum.WARNING) warns++;
        ObjectNode issue = issues.addObject();
        issue.put("severity", s.getCode());
        issue.put("location", m.getLocationString());
        issue.put("message", m.getMessage());
        if (m.getMessageId() != null) issue.put("messageId", m.getMessageId());
        if (m.getLocationLine() != null) issue.put("line", m.getLocationLine());
        if (error || (warnings && s == ResultSeverityEnum.WARNING)) {
          lines.add(
              "  " + s.getCode().toUpperCase() + " " + m.getLocationString() + ": " + m.getMessage());
        }
      }
      res.put("errors", errors);
      res.put("warnings", warns);
      int[] t = byType.computeIfAbsent(type, k -> new int[3]);
      t[0]++;
      t[1] += errors;
      t[2] += warns;
      totalErrors += errors;
      totalWarnings += warns;
      if (!lines.isEmpty()) {
        stdout.println(in.name() + " " + type + "/" + id + ": " + errors + " error(s)");
        lines.forEach(stdout::println);
      }
    }
    ObjectNode summary = JSON.createObjectNode();
    summary.put("hapiVersion", ca.uhn.fhir.util.VersionUtil.getVersion());
    summary.put("resources", inputs.size());
    summary.put("errors", totalErrors);
    summary.put("warnings", totalWarnings);
    ObjectNode types = summary.putObject("byType");
    byType.forEach(
        (k, v) -> {
          ObjectNode o = types.putObject(k);
          o.put("count", v[0]);
          o.put("errors", v[1]);
          o.put("warnings", v[2]);
        });
    result.set("summary", summary);
    if (out != null) JSON.writerWithDefaultPrettyPrinter().writeValue(out.toFile(), result);
    stdout.println("SUMMARY " + JSON.writeValueAsString(summary));
  }

  private static void collect(Path p, List<Input> into) throws IOException {
    if (Files.isDirectory(p)) {
      try (Stream<Path> s = Files.walk(p)) {
        for (Path f : s.filter(Files::isRegularFile).sorted().toList()) {
          String n = f.getFileName().toString();
          if (n.endsWith(".json") || n.endsWith(".ndjson")) collect(f, into);
        }
      }
      return;
    }
    String text = Files.readString(p, StandardCharsets.UTF_8);
    if (p.getFileName().toString().endsWith(".ndjson")) {
      String[] lines = text.split("\n");
      for (int i = 0; i < lines.length; i++) {
        if (!lines[i].isBlank()) into.add(new Input(p + "#" + (i + 1), lines[i]));
      }
    } else {
      into.add(new Input(p.toString(), text));
    }
  }
}
