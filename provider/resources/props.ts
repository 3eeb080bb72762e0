/** Helpers for the property bags Pulumi hands dynamic providers, shared by both resources. */

/** Pulumi's placeholder for a value not known during preview (it arrives in any field). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export type Props = Record<string, unknown>;

export function withoutProvider(props: Props): Props {
  const { __provider: _ignored, ...rest } = props;
  void _ignored;
  return rest;
}

export function containsUnknown(props: Props): boolean {
  return Object.values(props).some((v) => v === UNKNOWN);
}

/** As Pulumi stores it: a protobuf Struct cannot hold undefined, so absent fields are dropped. */
export function withoutUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
