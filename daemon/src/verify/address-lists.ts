import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SortedList } from './sorted-list';

/**
 * The lists behind an address's flags, as sorted texts searched in place (sorted-list.ts). The
 * build writes them to dist/lists/ (scripts/address-lists.mjs), beside the bundle that reads them;
 * run from source (unit tests) the same texts are made from the npm packages in memory.
 */
export interface AddressLists {
  disposable: SortedList;
  disposableWildcards: SortedList;
  free: SortedList;
  roles: SortedList;
}

type ListName = 'disposable' | 'disposable-wildcards' | 'free' | 'roles';

export async function readAddressLists(): Promise<AddressLists> {
  const read = import.meta.url.endsWith('.ts') ? await fromPackages() : fromFiles(listsDirectory());
  return { disposable: read('disposable'), disposableWildcards: read('disposable-wildcards'), free: read('free'), roles: read('roles') };
}

/** dist/lists/, found from this chunk (dist/ or dist/chunks/). */
function listsDirectory(): string {
  const here = new URL('.', import.meta.url);
  return fileURLToPath(new URL(here.pathname.endsWith('/chunks/') ? '../lists/' : './lists/', here));
}

function fromFiles(dir: string): (name: ListName) => SortedList {
  return (name) => new SortedList(readFileSync(`${dir}/${name}.txt`));
}

async function fromPackages(): Promise<(name: ListName) => SortedList> {
  // A specifier the bundler cannot follow: the bundle never carries the generator nor the packages.
  const generator = new URL('../../scripts/address-lists.mjs', import.meta.url).href;
  const { addressListTexts } = (await import(/* @vite-ignore */ generator)) as { addressListTexts(): Record<ListName, string> };
  const texts = addressListTexts();
  return (name) => new SortedList(Buffer.from(texts[name], 'latin1'));
}
