import type { Command } from './types.js';
import { AppError } from '../errors.js';

// Placeholder: replaced by the module that owns this command.
const command: Command = {
  name: 'sync',
  summary: '',
  usage: '',
  description: 'Not available yet.',
  options: [],
  async run() {
    throw new AppError('psa-reports sync is not available in this build yet', 'USAGE');
  },
};
export default command;
