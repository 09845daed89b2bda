import type { DoctorResolver } from './types';

type Answer<T> = T | { error: string };

/** A resolver that answers from tables, for the cases no lab DNS produces (public IPs, PTRs). */
export function fakeResolver(tables: {
  mx?: Record<string, Answer<Array<{ exchange: string; priority: number }>>>;
  a?: Record<string, Answer<string[]>>;
  aaaa?: Record<string, Answer<string[]>>;
  ptr?: Record<string, Answer<string[]>>;
  /** Every lookup fails with this code (a dead resolver). */
  all?: string;
}): DoctorResolver & { asked: string[] } {
  const asked: string[] = [];
  const answer = <T>(kind: string, table: Record<string, Answer<T>> | undefined, name: string): Promise<T> => {
    asked.push(`${kind} ${name}`);
    if (tables.all) return Promise.reject(Object.assign(new Error(tables.all), { code: tables.all }));
    const found = table?.[name];
    if (found === undefined) return Promise.reject(Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' }));
    if (typeof found === 'object' && found !== null && 'error' in found) return Promise.reject(Object.assign(new Error(found.error), { code: found.error }));
    return Promise.resolve(found as T);
  };
  return {
    asked,
    resolveMx: (name) => answer('MX', tables.mx, name),
    resolve4: (name) => answer('A', tables.a, name),
    resolve6: (name) => answer('AAAA', tables.aaaa ?? {}, name).catch(() => Promise.reject(Object.assign(new Error('ENODATA'), { code: 'ENODATA' }))),
    reverse: (ip) => answer('PTR', tables.ptr, ip),
  };
}
