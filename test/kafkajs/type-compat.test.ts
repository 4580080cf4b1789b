/**
 * An application typed against KafkaJS 2.2.4's own declarations compiles unchanged against
 * `tskafka/kafkajs`. `fixtures/typed-app.ts` is compiled against `kafkajs` by the repository's
 * type check (`tsc -p tsconfig.json` includes test/); here it is compiled again with `kafkajs`
 * mapped to `tskafka/kafkajs`, and must report no diagnostic.
 */
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const app = fileURLToPath(new URL('./fixtures/typed-app.ts', import.meta.url));

function compileAgainstOurs(): ts.Program {
  return ts.createProgram([app], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    esModuleInterop: true,
    types: ['node'],
    customConditions: ['source'],
    baseUrl: root,
    paths: { kafkajs: ['packages/tskafka/src/kafkajs/index.ts'] },
  });
}

describe('type compatibility with kafkajs 2.2.4', () => {
  it('the sample application written against kafkajs compiles unchanged against tskafka/kafkajs', () => {
    const program = compileAgainstOurs();
    // The mapping really points the import at our module.
    expect(
      program.getSourceFiles().some((f) => f.fileName.endsWith('packages/tskafka/src/kafkajs/index.ts')),
    ).toBe(true);
    const messages = ts
      .getPreEmitDiagnostics(program)
      .map((d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    expect(messages).toEqual([]);
  }, 240_000);
});
