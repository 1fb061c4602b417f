// A background worker: does a unit of "work" every few seconds and logs it.
let jobs = 0
const timer = setInterval(() => {
  jobs++
  console.log(`worked through job ${jobs}`)
}, 5000)
console.log('worker started')
process.on('SIGTERM', () => {
  clearInterval(timer)
  console.log(`worker stopping after ${jobs} jobs`)
  process.exit(0)
})
