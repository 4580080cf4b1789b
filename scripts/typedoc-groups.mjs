// @ts-check
/**
 * A TypeDoc plugin that files every public declaration under a group an application developer
 * looks for (Client, Producer, Consumer, Admin, Serialization, Partitioning, Errors, Protocol, Console),
 * by the source file that declares it, so the export lists stay plain `export { ... }` statements
 * and no source comment needs a `@group` tag. `typedoc.json`'s `groupOrder` puts Client, where
 * `Kafka` is, first.
 */
import { Comment, CommentTag, Converter, ReferenceReflection, ReflectionKind } from 'typedoc';

/** Source path (inside `packages/`) to group; the first match wins. */
const RULES = [
  // `tskafka/kafkajs`: one file per KafkaJS client, grouped as tskafka's own are.
  [/^tskafka\/src\/kafkajs\/errors\.ts$/, 'Errors'],
  [/^tskafka\/src\/kafkajs\/(producer|compression)\.ts$/, 'Producer'],
  [/^tskafka\/src\/kafkajs\/(consumer|assigners|assigner-protocol)\.ts$/, 'Consumer'],
  [/^tskafka\/src\/kafkajs\/(admin|admin-configs|acls)\.ts$/, 'Admin'],
  [/^tskafka\/src\/kafkajs\/partitioners\.ts$/, 'Partitioning'],
  [/^tskafka\/src\//, 'Client'],
  [/\/errors(\/|\.ts$)|\/src\/config\/errors\.ts$/, 'Errors'],
  [/^transport\/src\/serde\.ts$/, 'Serialization'],
  [/^producer\/src\/partitioner\//, 'Partitioning'],
  [/^producer\/src\//, 'Producer'],
  [/^consumer\/src\//, 'Consumer'],
  [/^admin\/src\//, 'Admin'],
  [/^protocol\/src\/acl\.ts$/, 'Admin'],
  [/^protocol\/src\//, 'Protocol'],
  [/^console\/src\//, 'Console'],
  [/^opentelemetry\/src\/|^transport\/src\/metrics\.ts$/, 'Observability'],
  [/^transport\/src\/group-metadata\.ts$/, 'Consumer'],
  [/^transport\/src\//, 'Client'],
];

/**
 * @param {import('typedoc').Comment | undefined} comment
 * @param {string} group
 */
function tag(comment, group) {
  if (comment === undefined || comment.blockTags.some((t) => t.tag === '@group')) return;
  comment.blockTags.push(new CommentTag('@group', [{ kind: 'text', text: group }]));
}

/** @param {import('typedoc').Application} app */
export function load(app) {
  /** A function's comment lives on its signatures, created after the function's reflection. */
  const groupOf = new WeakMap();
  app.converter.on(Converter.EVENT_CREATE_DECLARATION, (context, reflection) => {
    // Only the exports of a package (a module's direct children), not their members.
    if (!reflection.parent?.kindOf(ReflectionKind.Module)) return;
    const file = context.getSymbolFromReflection(reflection)?.declarations?.[0]?.getSourceFile().fileName;
    const inPackages = file?.split('/packages/')[1];
    if (inPackages === undefined) return;
    const group = RULES.find(([pattern]) => pattern.test(inPackages))?.[1];
    if (group === undefined) return;
    groupOf.set(reflection, group);
    tag(reflection.comment, group);
  });
  app.converter.on(Converter.EVENT_CREATE_SIGNATURE, (_context, signature) => {
    const group = groupOf.get(signature.parent);
    if (group !== undefined) tag(signature.comment, group);
  });
  // A package's page lists the names `tskafka` documents as references: file each under the
  // group of the declaration it points to.
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const reference of context.project.getReflectionsByKind(ReflectionKind.Reference)) {
      if (!(reference instanceof ReferenceReflection)) continue;
      const group = groupOf.get(reference.getTargetReflectionDeep());
      if (group === undefined) continue;
      reference.comment ??= new Comment();
      tag(reference.comment, group);
    }
  });
}
