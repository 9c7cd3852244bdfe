import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { buildDebianImage, debianImageKey, ImageBuildError } from "../src/docker/buildDebianImage.ts";
import { hostDebianSources } from "../src/docker/debianSources.ts";

describe("Debian image sources", () => {
  it("takes the host's Debian mirrors for the suite, from deb822 and one-line files, and nothing else", () => {
    const apt = mkdtempSync(join(tmpdir(), "plasma-apt-"));
    mkdirSync(join(apt, "sources.list.d"));
    writeFileSync(
      join(apt, "sources.list"),
      "deb [arch=amd64] http://mirror.example/debian bookworm main contrib # a comment\n" +
        "deb-src http://mirror.example/debian bookworm main\n" +
        "deb https://packages.cloud.google.com/apt cloud-sdk-bookworm main\n",
    );
    writeFileSync(
      join(apt, "sources.list.d", "debian.sources"),
      "Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm bookworm-updates trixie\nComponents: main\n\n" +
        "Types: deb\nURIs: http://deb.debian.org/debian-security\nSuites: bookworm-security\nComponents: main\nEnabled: no\n",
    );
    writeFileSync(
      join(apt, "sources.list.d", "nodesource.list"),
      "deb https://deb.nodesource.com/node_20.x nodistro main\n",
    );
    assert.deepEqual(hostDebianSources("bookworm", apt), [
      "deb http://mirror.example/debian bookworm main contrib",
      "deb http://deb.debian.org/debian bookworm main",
      "deb http://deb.debian.org/debian bookworm-updates main",
    ]);
  });

  it("falls back to deb.debian.org where the host names no Debian mirror", () => {
    const apt = mkdtempSync(join(tmpdir(), "plasma-apt-"));
    assert.deepEqual(hostDebianSources("trixie", apt), ["deb http://deb.debian.org/debian trixie main"]);
  });
});

describe("Debian image key", () => {
  it("names the content: the package list in any order gives one key, another list or suite another", () => {
    const key = debianImageKey({ name: "a", packages: ["python3", "python3-numpy"], suite: "bookworm" });
    assert.match(key, /^[0-9a-f]{16}$/);
    assert.equal(debianImageKey({ name: "b", packages: ["python3-numpy", "python3"], suite: "bookworm" }), key);
    assert.notEqual(debianImageKey({ name: "a", packages: ["python3"], suite: "bookworm" }), key);
    assert.notEqual(debianImageKey({ name: "a", packages: ["python3", "python3-numpy"], suite: "trixie" }), key);
  });

  it("refuses a name an engine cannot tag, and an empty package list", async () => {
    await assert.rejects(buildDebianImage({ name: "Plasma Python", packages: ["python3"] }), ImageBuildError);
    await assert.rejects(buildDebianImage({ name: "plasma-python", packages: [] }), /lists no packages/);
  });
});
