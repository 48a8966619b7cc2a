import { HEAD_AXES, HeadPose, NeckCommand, QUATERNION_EXTRA_AXES, SimpleCommand } from './command';
import { formatNumber } from './numbers';

/** The canonical firmware line for a command, without the trailing newline. */
export function formatNeckCommand(command: NeckCommand): string {
  if (command.kind === 'compound') return command.parts.map(formatSimple).join('|');
  return formatSimple(command);
}

/** The full head line `X..,Y..,Z..,H..,S..,A..,R..,P..` for a pose. */
export function formatHeadPose(pose: Readonly<HeadPose>): string {
  return HEAD_AXES.map((axis) => `${axis}${formatNumber(pose[axis])}`).join(',');
}

function formatSimple(command: SimpleCommand): string {
  switch (command.kind) {
    case 'home':
    case 'health':
      return command.keyword;
    case 'actuators':
      return command.targets.map((t) => `${t.id}:${formatNumber(t.mm)}`).join(',');
    case 'head':
      return HEAD_AXES.filter((axis) => command.axes[axis] !== undefined)
        .map((axis) => `${axis}${formatNumber(command.axes[axis] ?? 0)}`)
        .join(',');
    case 'quaternion': {
      const components = [command.w, command.x, command.y, command.z].map(formatNumber);
      const extras = QUATERNION_EXTRA_AXES.filter((axis) => command.extras[axis] !== undefined).map(
        (axis) => `${axis}${formatNumber(command.extras[axis] ?? 0)}`,
      );
      return `Q:${[...components, ...extras].join(',')}`;
    }
  }
}
