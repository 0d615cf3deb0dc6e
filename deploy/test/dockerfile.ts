/**
 * The Dockerfile as data (parsed by dockerfile-ast, the parser behind VS Code's Docker support), so tests check
 * and replay what the image build really runs instead of a copy of it.
 */
import { readFileSync } from "node:fs";
import { DockerfileParser, ModifiableInstruction } from "dockerfile-ast";
import { repoPath } from "./repo-root.ts";

export interface DockerStage {
  image: string;
  name: string | undefined;
  /** Each RUN's shell command, continuation lines joined, without its flags (--mount=...). */
  runs: string[];
  /** Each RUN's flags, e.g. --mount=type=cache,... */
  runFlags: string[];
  /** Each COPY: its flags (--from=...) and arguments. */
  copies: Array<{ flags: string[]; args: string[] }>;
  /** The last USER, as written. */
  user: string | undefined;
  /** ENTRYPOINT and CMD in exec form (undefined when the stage sets none). */
  entrypoint: string[] | undefined;
  cmd: string[] | undefined;
  env: Record<string, string>;
}

export function readDockerfile(path = repoPath("Dockerfile")): DockerStage[] {
  const dockerfile = DockerfileParser.parse(readFileSync(path, "utf8"));
  const stages: DockerStage[] = [];
  for (const instruction of dockerfile.getInstructions()) {
    const keyword = instruction.getKeyword();
    const args = instruction.getArguments().map((argument) => argument.getValue());
    if (keyword === "FROM") {
      stages.push({
        image: args[0] ?? "",
        name: args[1]?.toUpperCase() === "AS" ? args[2] : undefined,
        runs: [],
        runFlags: [],
        copies: [],
        user: undefined,
        entrypoint: undefined,
        cmd: undefined,
        env: {},
      });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) throw new Error(`${keyword} before FROM`);
    const flags = instruction instanceof ModifiableInstruction ? instruction.getFlags().map(String) : [];
    if (keyword === "RUN") {
      stage.runs.push(instruction.getArgumentsContent() ?? "");
      stage.runFlags.push(...flags);
    } else if (keyword === "COPY") stage.copies.push({ flags, args });
    else if (keyword === "USER") stage.user = args[0];
    else if (keyword === "ENTRYPOINT" || keyword === "CMD") {
      const exec = JSON.parse(instruction.getArgumentsContent() ?? "") as string[];
      if (keyword === "ENTRYPOINT") stage.entrypoint = exec;
      else stage.cmd = exec;
    } else if (keyword === "ENV") {
      for (const pair of args) {
        const [key, ...value] = pair.split("=");
        if (key) stage.env[key] = value.join("=");
      }
    }
  }
  return stages;
}

/** The stage the image is made of: the last one. */
export function finalStage(stages: DockerStage[]): DockerStage {
  const stage = stages.at(-1);
  if (!stage) throw new Error("the Dockerfile has no FROM");
  return stage;
}
