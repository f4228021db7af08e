import avro from 'avsc';

/**
 * Schema resolution (reading data written with one schema as another) for everything we decode
 * with a reader schema of our own: commands in the processor, events in older consumers.
 *
 * avsc 5.7.9, the latest stable release, has a defect that makes the first real schema change
 * dead-letter valid commands. Its `Type#createResolver` caches the resolver of each reader:writer
 * record pair in `opts.registry` *before* building it, so that recursive schemas terminate. When a
 * reader union tries its branches against a writer record, the branches that fail (every record of
 * another name) stay in that cache half built, without `_read`. The next union that meets the same
 * writer record (AmendApplication's details after SubmitApplication's, both
 * [ListingDetails, InfoChangeDetails]) takes the cached entry for a match, and decoding an
 * InfoChangeDetails throws "typeResolver._read is not a function". The code is the same in
 * 6.0.0-rc.1 (mtth/avsc master, lib/types.js), and no upstream issue or fix was found.
 *
 * Every type object is frozen, so the fix cannot be put on our own reader types, and npm has no
 * patch mechanism of its own: this module wraps `Type.prototype.createResolver` once, when first
 * imported. The wrapper changes one thing for every caller: a resolution that throws removes the
 * cache entries it added, so only complete resolvers are ever reused (what avsc means to do).
 * Remove it once an avsc release fixes the defect; the regression tests in
 * test/schema-evolution.test.ts keep passing without it then.
 *
 * One more difference is opt-in (`createResolver(reader, writer, { perDatum: true })`, used by
 * the command decoder and by older event consumers): a writer union branch the reader has no
 * counterpart for fails the datum that uses it, not the whole writer schema. avsc refuses the
 * schema up front; the Avro specification (and the Java implementation) signals the error when
 * such a datum is read. So when producers move to a schema with a new union branch (a new command
 * type) before every processor is upgraded, an older processor keeps applying the commands it
 * knows and dead-letters only those it cannot read. A writer union none of whose branches can be
 * read is still refused up front. Registry compatibility checks (released.ts) stay strict.
 */

type Registry = Record<string, unknown>;
type Options = { registry?: Registry; [PER_DATUM]?: boolean };
type CreateResolver = (this: avro.Type, writer: avro.Type, opts?: Options) => avro.Resolver;
type Union = avro.types.WrappedUnionType | avro.types.UnwrappedUnionType;

const PER_DATUM = Symbol('per-datum union branches');
const WRAPPED = Symbol.for('backoffice.avsc-resolver-registry-fix');
const isUnion = (type: avro.Type): type is Union => avro.Type.isType(type, 'union');
const label = (type: avro.Type): string => isUnion(type) ? `[${type.types.map(label).join(', ')}]` : type.name ?? type.typeName;

/** Thrown when a datum was written with a union branch the reader has no counterpart for. */
export class UnreadableBranchError extends Error {
  readonly branch: string;
  constructor(branch: string, reader: avro.Type) {
    super(`written with union branch ${branch}, which the reader's ${label(reader)} cannot read`);
    this.branch = branch;
  }
}

/**
 * The writer union whose branches avsc is resolving, one `reader.createResolver(branch, opts)`
 * call each. Resolution is synchronous, so one slot, saved and restored around each call, is
 * enough to tell a branch call from the nested ones (record fields, a reader union's own branches).
 */
let resolvingBranchesOf: { reader: avro.Type; union: Union; readable: number } | null = null;

function install(): void {
  const prototype = avro.Type.prototype as unknown as { createResolver: CreateResolver; [WRAPPED]?: true };
  if (prototype[WRAPPED]) return;
  const original = prototype.createResolver;

  prototype.createResolver = function createResolver(this: avro.Type, writer: avro.Type, opts: Options = {}): avro.Resolver {
    const registry = (opts.registry ??= {});
    const cachedBefore = new Set(Object.keys(registry));
    const branchOf = resolvingBranchesOf;
    const isBranch = opts[PER_DATUM] === true && branchOf !== null && branchOf.reader === this && branchOf.union.types.includes(writer);
    const ownBranches = opts[PER_DATUM] === true && isUnion(writer) ? { reader: this, union: writer, readable: 0 } : null;
    resolvingBranchesOf = ownBranches;
    try {
      const resolver = original.call(this, writer, opts);
      if (ownBranches?.readable === 0) throw new Error(`cannot read any branch of ${label(writer)} as ${label(this)}`);
      if (isBranch) branchOf.readable += 1;
      return resolver;
    } catch (error) {
      for (const key of Object.keys(registry)) if (!cachedBefore.has(key)) delete registry[key];
      if (!isBranch) throw error;
      const unreadable = new UnreadableBranchError(label(writer), this);
      // avsc reads a writer union's branch only through `_read` of the branch's resolver.
      return { _readerType: this, _read() { throw unreadable; } } as unknown as avro.Resolver;
    } finally {
      resolvingBranchesOf = branchOf;
    }
  };
  prototype[WRAPPED] = true;
}

install();

/**
 * A resolver that reads data written with `writer` as `reader` (pass it to `reader.fromBuffer`).
 * Throws when the writer schema cannot be read at all; with `perDatum`, reading a datum written
 * with a union branch the reader lacks throws UnreadableBranchError.
 */
export function createResolver(reader: avro.Type, writer: avro.Type, options: { perDatum?: boolean } = {}): avro.Resolver {
  return (reader.createResolver as unknown as CreateResolver).call(reader, writer, { [PER_DATUM]: options.perDatum === true });
}
