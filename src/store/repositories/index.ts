import type { Store } from '../port.js';
import { CellsRepo } from './cells.js';
import { MeetingsRepo } from './meetings.js';
import { PeopleRepo } from './people.js';

export interface Repos {
  people: PeopleRepo;
  cells: CellsRepo;
  meetings: MeetingsRepo;
}

export function createRepos(store: Store): Repos {
  return { people: new PeopleRepo(store), cells: new CellsRepo(store), meetings: new MeetingsRepo(store) };
}
