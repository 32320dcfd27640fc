import { pfmsimProject } from '../../vitest.shared.ts';

export default pfmsimProject('cli');
