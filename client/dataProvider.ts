import simpleRestProvider from 'ra-data-simple-rest';
import type { DataProvider } from 'react-admin';
import { lookupResultSchema, type LookupResult } from '../shared/lookup.ts';
import { fetchApi } from './fetchApi.ts';

/** The API's domain actions beside react-admin's CRUD calls; use with `useDataProvider<AppDataProvider>()`. */
export type AppDataProvider = DataProvider & {
  /** Finds what a pasted chat id, chat URL, e-mail or record id names; rejects with a 404 HttpError when nothing matches. */
  lookup: (q: string) => Promise<LookupResult>;
};

const apiUrl = '/api';

export const dataProvider: AppDataProvider = {
  ...simpleRestProvider(apiUrl, fetchApi),

  async lookup(q) {
    const { json } = await fetchApi(`${apiUrl}/lookup?${new URLSearchParams({ q })}`);
    return lookupResultSchema.parse(json);
  },
};
