// Cell formats shared by RESULTS.md's tables.

export const yesNo = (met: boolean | undefined): string => (met === undefined ? '—' : met ? '**yes**' : '**no**');
export const ms = (v: number): string => (Number.isFinite(v) ? v.toFixed(v < 10 ? 2 : 1) : '—');
