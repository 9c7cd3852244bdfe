import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const APT_DIR = "/etc/apt";
const DEFAULT_MIRROR = "http://deb.debian.org/debian";

/** The host's Debian codename (bookworm, trixie…), or undefined on a host that is not Debian. */
export function hostDebianSuite(osRelease = "/etc/os-release"): string | undefined {
  if (!existsSync(osRelease)) return undefined;
  const fields = Object.fromEntries(
    readFileSync(osRelease, "utf8")
      .split("\n")
      .map((line) => /^(\w+)=("?)(.*)\2$/.exec(line.trim()))
      .filter((m) => m !== null)
      .map((m) => [m[1], m[3]]),
  );
  return fields.ID === "debian" ? fields.VERSION_CODENAME || undefined : undefined;
}

type Source = { types: string[]; uris: string[]; suites: string[]; components: string[] };

/** One-line entries: `deb [options] uri suite component…`. */
function parseOneLine(text: string): Source[] {
  return text
    .split("\n")
    .map((line) =>
      line
        .replace(/#.*/, "")
        .replace(/\[[^\]]*\]/, "")
        .trim()
        .split(/\s+/),
    )
    .filter((words) => words[0] === "deb" && words.length >= 3)
    .map(([type, uri, suite, ...components]) => ({
      types: [type ?? ""],
      uris: [uri ?? ""],
      suites: [suite ?? ""],
      components,
    }));
}

/** deb822 entries (`.sources`): paragraphs of `Field: values`. */
function parseDeb822(text: string): Source[] {
  return text
    .split(/\n\s*\n/)
    .map((paragraph) => {
      const fields: Record<string, string[]> = {};
      for (const line of paragraph.split("\n")) {
        const m = /^([\w-]+):\s*(.*)$/.exec(line.replace(/#.*/, "").trim());
        if (m?.[1]) fields[m[1].toLowerCase()] = (m[2] ?? "").split(/\s+/).filter(Boolean);
      }
      if (fields.enabled?.[0] === "no") return undefined;
      return {
        types: fields.types ?? [],
        uris: fields.uris ?? [],
        suites: fields.suites ?? [],
        components: fields.components ?? [],
      };
    })
    .filter((s): s is Source => s !== undefined);
}

const isDebianArchive = (uri: string) => /debian/.test(uri) && !/ubuntu/.test(uri);

/**
 * The host's own Debian mirrors for `suite` (its -updates and -security too), as sources.list lines
 * for mmdebstrap: a build uses the same mirror as the host's apt, reachable where the host's is.
 * Falls back to deb.debian.org when the host names none.
 * @param suite a Debian codename, e.g. "bookworm".
 * @returns lines such as `deb http://deb.debian.org/debian bookworm main`.
 * @example hostDebianSources("bookworm") // ["deb http://deb.debian.org/debian bookworm main", …]
 */
export function hostDebianSources(suite: string, aptDir = APT_DIR): string[] {
  const files = [join(aptDir, "sources.list")];
  const dir = join(aptDir, "sources.list.d");
  if (existsSync(dir)) files.push(...readdirSync(dir).map((name) => join(dir, name)));
  const sources = files
    .filter((file) => existsSync(file) && (file.endsWith(".list") || file.endsWith(".sources")))
    .flatMap((file) => {
      const text = readFileSync(file, "utf8");
      return file.endsWith(".sources") ? parseDeb822(text) : parseOneLine(text);
    });
  const lines = new Set<string>();
  for (const source of sources) {
    if (!source.types.includes("deb")) continue;
    for (const uri of source.uris.filter(isDebianArchive))
      for (const s of source.suites.filter((s) => s === suite || s.startsWith(`${suite}-`)))
        lines.add(`deb ${uri} ${s} ${source.components.join(" ") || "main"}`);
  }
  return lines.size ? [...lines] : [`deb ${DEFAULT_MIRROR} ${suite} main`];
}
