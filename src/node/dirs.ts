/** `node.dirs` (being written). */
import type { DirsApi } from './dirs-api.js'

export function createDirs (): DirsApi {
  const todo = async (): Promise<never> => { throw new Error('node.dirs is not implemented yet') }
  return { mkdir: todo, mkdirAt: todo, list: todo, stat: todo, json: todo, link: todo, unlink: todo, move: todo, putFile: todo }
}
