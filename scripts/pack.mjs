// `npm run pack`: every library of the repository (each workspace that is not private) packed as
// npm would publish it, into one folder per Effect line (packed/effect4/, packed/effect3/), so a
// backend can `npm install "$packed"/<line>/*.tgz` beside its own Effect until the libraries are
// on the registry (the README's "Use it in your backend"). A library belongs to the line of the
// `effect` it names as a peer; one that names none (the kernel) goes into every line's folder. A
// library added to the workspaces is packed with the rest: nothing to change here.
import { execFileSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"

const root = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "..")
const destination = Path.join(root, "packed")
const readJson = (file) => JSON.parse(Fs.readFileSync(file, "utf8"))

/** The workspace folders in the order package.json lists them, `folder/*` patterns expanded. */
const workspaces = readJson(Path.join(root, "package.json")).workspaces.flatMap((pattern) => {
  if (!pattern.endsWith("/*")) return [pattern]
  const parent = pattern.slice(0, -2)
  return Fs.readdirSync(Path.join(root, parent)).sort().map((name) => `${parent}/${name}`)
}).filter((folder) => Fs.existsSync(Path.join(root, folder, "package.json")))

const libraries = workspaces.filter((folder) => readJson(Path.join(root, folder, "package.json")).private !== true)

/** The line of a package: `effect3` or `effect4` from the major of its `effect` peer, else undefined. */
const lineOf = (manifest) => {
  const range = manifest.peerDependencies?.effect
  const major = range === undefined ? undefined : /(\d+)/.exec(range)?.[1]
  return major === undefined ? undefined : `effect${major}`
}

/** Each library's manifest, by package name: npm pack answers with the names. */
const manifests = new Map(libraries.map((folder) => {
  const manifest = readJson(Path.join(root, folder, "package.json"))
  return [manifest.name, manifest]
}))
/** Every line some library names, newest first; a library of no line goes into each. */
const lines = [...new Set([...manifests.values()].map(lineOf))].filter((line) => line !== undefined).sort().reverse()

// A fresh folder: an old version's tarball left beside the new ones would be installed too.
Fs.rmSync(destination, { recursive: true, force: true })
Fs.mkdirSync(destination)
// Each library's prepack script builds its dist/ first.
const packed = JSON.parse(
  execFileSync(
    "npm",
    ["pack", ...libraries.map((folder) => `--workspace=${folder}`), "--pack-destination", destination, "--json"],
    { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 64 * 1024 * 1024 }
  )
)
for (const line of lines) Fs.mkdirSync(Path.join(destination, line))
for (const { filename, name } of packed) {
  const line = lineOf(manifests.get(name))
  const from = Path.join(destination, filename)
  for (const target of line === undefined ? lines : [line]) {
    Fs.copyFileSync(from, Path.join(destination, target, filename))
    process.stdout.write(`${Path.join("packed", target, filename)}\n`)
  }
  Fs.rmSync(from)
}
