/**
 * Unknown fields in the manifests, found by TypeScript. The OpenAPI schemas behind validate() allow any
 * extra property (Kubernetes drops or rejects unknown fields only on the server), so a misspelt
 * `readinesProbe` would pass them. Written as object literals typed with the models' interfaces, every
 * misspelt or misplaced field is an excess-property error; the compiler checks them in memory.
 */
import ts from "typescript";
import { MODELS, type Manifest, type ModelKey } from "./kubernetes-manifests.ts";
import { repoPath } from "./repo-root.ts";

export function manifestTypeErrors(manifests: Array<Manifest & { key: ModelKey }>): string[] {
  const file = repoPath("deploy/test/__manifests__.ts");
  const keys = [...new Set(manifests.map((manifest) => manifest.key))];
  const imports = keys.map((key) => `import type { ${MODELS[key].type} } from "${MODELS[key].module}";`);
  const declarations = manifests.map(
    (manifest, index) =>
      `// ${manifest.file} ${manifest.body.metadata?.name}\n` +
      `export const m${index}: ${MODELS[manifest.key].type} = ${JSON.stringify(manifest.body, null, 2)};`,
  );
  const source = [...imports, ...declarations].join("\n");
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language, ...rest) =>
    name === file ? ts.createSourceFile(name, source, language) : getSourceFile(name, language, ...rest);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === file || fileExists(name);
  const program = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const where = diagnostic.file?.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
    const line = where ? source.split("\n")[where.line]?.trim() : "";
    return `${ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n")} (at ${line})`;
  });
}
