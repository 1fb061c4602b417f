/** For `.catch(caught)`: lets a test read the fields of the error a promise rejected with. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary error fields
export const caught = (error: any): any => error

/** The error a promise rejects with; fails the test if it resolves. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary error fields
export async function failure(pending: Promise<unknown>): Promise<any> {
  try {
    await pending
  } catch (error) {
    return error
  }

  throw new Error('expected a failure, but the promise resolved')
}
