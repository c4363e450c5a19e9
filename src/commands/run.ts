import type { Command } from './types.js';
import { AppError } from '../errors.js';

// Placeholder: replaced by the module that owns this command.
const command: Command = {
  name: 'run',
  summary: '',
  usage: '',
  description: 'Not available yet.',
  options: [],
  async run() {
    throw new AppError('psa-reports run is not available in this build yet', 'USAGE');
  },
};
export default command;
