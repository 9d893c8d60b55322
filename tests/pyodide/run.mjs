// Run claimcheck inside a real Pyodide (what xlwings Lite runs), offline, under Node.
//
//   node tests/pyodide/run.mjs MANIFEST JOB
//
// MANIFEST is written by tests/pyodide/prepare.py (Pyodide's folder and the wheels to install).
// JOB is a JSON file: {"files": {"/in/pyodide/path": "/host/path", ...},
//                      "driver": "/pyodide/path/of/driver.py", "calls": [...]}
// The files are copied into Pyodide's in-memory file system, the wheels installed with micropip,
// then the driver's run() executes the calls.  The last stdout line is
//   RESULT {"results": [...], "timings": {...}}
// Every http(s) fetch is refused: nothing reaches the network.
import { readFileSync } from "node:fs";
import { basename, dirname } from "node:path";
import { pathToFileURL } from "node:url";
import { performance } from "node:perf_hooks";

const [manifestPath, jobPath] = process.argv.slice(2);
if (!manifestPath || !jobPath) {
  console.error("usage: node run.mjs MANIFEST JOB");
  process.exit(2);
}
const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
const job = JSON.parse(readFileSync(jobPath, "utf8"));

const blocked = [];
const realFetch = globalThis.fetch;
globalThis.fetch = async (resource, options) => {
  const url = typeof resource === "string" ? resource : (resource && (resource.url || resource.href)) || String(resource);
  if (/^https?:/i.test(url)) {
    blocked.push(url);
    throw new Error(`network access blocked in the Pyodide test tier: ${url}`);
  }
  return realFetch(resource, options);
};

const timings = {};
async function timed(name, fn) {
  const start = performance.now();
  const value = await fn();
  timings[name] = (performance.now() - start) / 1000;
  return value;
}

const { loadPyodide } = await import(pathToFileURL(manifest.pyodide_module).href);
const py = await timed("load_pyodide", () =>
  loadPyodide({
    indexURL: manifest.index_url,
    env: { HOME: "/home/pyodide", XLWINGS_ON_SERVER: "true", XLWINGS_LICENSE_KEY: "noncommercial", TZ: "UTC" },
    stdout: (line) => console.error(line),
    stderr: (line) => console.error(line),
  }));
await timed("load_packages", () => py.loadPackage(manifest.packages, { messageCallback: () => {} }));

function writeFile(target, source) {
  py.FS.mkdirTree(dirname(target));
  py.FS.writeFile(target, readFileSync(source));
}

await timed("install_wheels", async () => {
  const targets = [];
  const pinned = [];
  for (const wheel of manifest.wheels) {
    const target = `/wheels/${basename(wheel.path)}`;
    writeFile(target, wheel.path);
    targets.push(`emfs:${target}`);
    if (wheel.lock_pinned) pinned.push(basename(wheel.path).split("-")[0]);
  }
  // deps=False: micropip, resolving offline, rejects pydantic 2.10.5 beside typing-extensions
  // 4.11.0 (pydantic declares >=4.12.2) although that is the pair Pyodide's lock, and so
  // xlwings Lite, installs.  Every other declared requirement is checked below instead.
  const micropip = py.pyimport("micropip");
  await micropip.install.callKwargs(py.toPy(targets), { deps: false });
  micropip.destroy();
  py.globals.set("lock_pinned", py.toPy(pinned));
  const unmet = py.runPython(`
import importlib.metadata as md
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name as cn
pinned = {cn(n) for n in lock_pinned}
installed = {cn(d.metadata["Name"]): d.version for d in md.distributions()}
unmet = []
for d in md.distributions():
    for text in d.requires or []:
        req = Requirement(text)
        if req.marker and not req.marker.evaluate(dict(default_environment(), extra="")):
            continue
        have = installed.get(cn(req.name))
        ok = have is not None and req.specifier.contains(have, prereleases=True)
        if not ok and not (cn(d.metadata["Name"]) in pinned and cn(req.name) in pinned and have):
            unmet.append(f"{d.metadata['Name']} needs {req}, installed: {have}")
"\\n".join(unmet)
`);
  if (unmet) throw new Error(`unmet requirements in the Pyodide tier:\n${unmet}`);
});

for (const [target, source] of Object.entries(job.files || {})) writeFile(target, source);
py.FS.writeFile("/tmp/calls.json", JSON.stringify(job.calls));

const out = await timed("driver", () =>
  py.runPythonAsync(`
import json, sys
sys.path.insert(0, ${JSON.stringify(dirname(job.driver))})
import ${basename(job.driver, ".py")} as driver
with open("/tmp/calls.json", encoding="utf-8") as fh:
    calls = json.load(fh)
json.dumps(await driver.run(calls))
`));
const result = JSON.parse(out);
result.timings = { ...timings, ...result.timings };
result.blocked = blocked;
process.stdout.write("RESULT " + JSON.stringify(result) + "\n");
