import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { hashJobSpec, JobSpecError, parseJobSpec, parseJobSpecText } from "@plasma/sdk";
import fc from "fast-check";

const problemsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof JobSpecError, String(error));
    return error.problems;
  }
  assert.fail("expected a JobSpecError");
};

describe("job spec", () => {
  it("fills in defaults, from YAML or JSON alike", () => {
    const yaml = parseJobSpecText("version: 1\ncommand: [python3, train.py]\n", "job.yaml");
    const json = parseJobSpecText('{"version":1,"command":["python3","train.py"]}', "job.json");
    assert.deepEqual(yaml, json);
    assert.equal(yaml.kind, "batch");
    assert.equal(yaml.runtime, "sandbox");
    assert.equal(yaml.network, "none");
    assert.deepEqual(yaml.outputs, ["out/"]);
    assert.deepEqual(yaml.verification, { mode: "exact" });
    assert.equal(yaml.timeoutSeconds, 3600);
  });

  it("names every invalid field and what is wrong", () => {
    const problems = problemsOf(() =>
      parseJobSpec({
        version: 2,
        command: [],
        resources: { gpus: -1, flux: 3 },
        inputs: [{ path: "../../etc/passwd", sha256: "abc" }],
        outputs: ["/abs"],
        network: "internet",
        verification: { mode: "tolerance", atol: 0.1 },
      }),
    );
    const text = problems.join("\n");
    assert.match(text, /^version: /m);
    assert.match(text, /^command: must name a program to run/m);
    assert.match(text, /^resources\.gpus: /m);
    assert.match(text, /^resources: unknown field 'flux'/m);
    assert.match(text, /^inputs\[0\]\.path: must not contain '\.\.'/m);
    assert.match(text, /^inputs\[0\]\.sha256: must be 64 lowercase hex digits/m);
    assert.match(text, /^outputs\[0\]: must be relative/m);
    assert.match(text, /^network: /m);
    assert.match(text, /^verification\.rtol: is required/m);
  });

  it("requires an image for docker and rejects duplicate inputs", () => {
    const sha = "a".repeat(64);
    const problems = problemsOf(() =>
      parseJobSpec({
        version: 1,
        runtime: "docker",
        command: ["x"],
        inputs: [
          { path: "a", sha256: sha },
          { path: "a", sha256: sha },
        ],
      }),
    );
    assert.deepEqual(problems, ["image: is required when runtime is docker", "inputs[1].path: duplicates a"]);
  });

  it("refuses oversized and unparseable text", () => {
    assert.match(
      problemsOf(() => parseJobSpecText(`version: 1\ncommand: ["${"x".repeat(70_000)}"]`))[0] ?? "",
      /at most 65536/,
    );
    assert.match(problemsOf(() => parseJobSpecText("version: [1\n"))[0] ?? "", /neither JSON nor YAML/);
  });

  it("hashes the meaning, not the formatting: key order and defaults do not matter", () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ minLength: 1, maxLength: 20 }), { minLength: 1, maxLength: 5 }),
        fc.dictionary(fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,10}$/), fc.string({ maxLength: 20 }), { maxKeys: 4 }),
        fc.integer({ min: 1, max: 86_400 }),
        (command, env, timeoutSeconds) => {
          const a = parseJobSpec({ version: 1, command, env, timeoutSeconds });
          const reordered = Object.fromEntries(
            Object.entries({ timeoutSeconds, env, command, version: 1, network: "none" }).reverse(),
          );
          const b = parseJobSpec(reordered);
          assert.equal(hashJobSpec(a), hashJobSpec(b));
          assert.match(hashJobSpec(a), /^0x[0-9a-f]{64}$/);
          const changed = parseJobSpec({ version: 1, command, env, timeoutSeconds: timeoutSeconds + 1 });
          assert.notEqual(hashJobSpec(changed), hashJobSpec(a));
        },
      ),
    );
  });
});
