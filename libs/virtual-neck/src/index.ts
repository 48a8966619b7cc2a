/** The pure simulator: bytes in, printed lines out, time from a scheduler. */
export * from './virtual-neck';
/** What the simulated firmware lost or got wrong, counted and described. */
export * from './anomalies';
/** The firmware's quaternion maths in 32-bit floats (NaN pitch at ±90°). */
export * from './firmware-euler';
/** Homing sequences and their durations. */
export * from './homing';
/** Clocks: real time (jest fake timers apply) or a manual one. */
export * from './scheduler';
/** In-process transport: a serialport binding whose ports are virtual necks. */
export * from './binding';
/** Real-tty transport: a virtual neck on a PTY or any serial path. */
export * from './attach';
/** C/Arduino number parsing as the firmware does it (`atof`, `toFloat`, `toInt`, float→int). */
export * from './arduino-numbers';
