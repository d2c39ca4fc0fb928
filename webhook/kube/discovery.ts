// API discovery, pure: does an APIResourceList (GET /apis/<group>/<version>) list a resource?
// Subresources ("podcertificaterequests/status") do not count.

export interface ApiResourceList {
  readonly resources?: ReadonlyArray<{ readonly name?: string }>;
}

export function listsResource(list: ApiResourceList | undefined, plural: string): boolean {
  return (list?.resources ?? []).some((r) => r.name === plural);
}
