import type { EventType } from '../types.ts';

/**
 * Daily's documented webhook event types: the 32 of the list-webhooks reference page (docs/providers/daily.md §4.6; the
 * overview page lists only the first 28, without `calltransfer.*`). Descriptions paraphrase the event pages.
 */
export const DAILY_EVENTS: readonly EventType[] = [
  { name: 'recording.ready-to-download', description: 'A recording finished and can be downloaded.' },
  { name: 'recording.started', description: 'A recording started.' },
  { name: 'recording.error', description: 'A recording failed.' },
  { name: 'streaming.started', description: 'A live stream started.' },
  { name: 'streaming.updated', description: 'A live stream was updated.' },
  { name: 'streaming.ended', description: 'A live stream ended.' },
  { name: 'streaming.error', description: 'A live stream failed.' },
  { name: 'meeting.started', description: 'A meeting started in a room.' },
  { name: 'meeting.ended', description: 'A meeting ended (the last participant left).' },
  { name: 'participant.joined', description: 'A participant joined a meeting.' },
  { name: 'participant.left', description: 'A participant left a meeting.' },
  { name: 'waiting-participant.joined', description: "A participant entered a room's waiting room." },
  { name: 'waiting-participant.left', description: 'A participant left the waiting room.' },
  { name: 'batch-processor.job-finished', description: 'A batch processor job finished.' },
  { name: 'batch-processor.error', description: 'A batch processor job failed.' },
  { name: 'dialout.connected', description: 'A dial-out call connected.' },
  { name: 'dialout.error', description: 'A dial-out call failed.' },
  { name: 'dialout.stopped', description: 'A dial-out call stopped.' },
  { name: 'dialout.warning', description: 'A dial-out call reported a warning.' },
  { name: 'dialout.answered', description: 'A dial-out call was answered.' },
  { name: 'dialin.ready', description: 'A dial-in line is ready to take the call.' },
  { name: 'dialin.connected', description: 'A dial-in call connected.' },
  { name: 'dialin.error', description: 'A dial-in call failed.' },
  { name: 'dialin.stopped', description: 'A dial-in call stopped.' },
  { name: 'dialin.warning', description: 'A dial-in call reported a warning.' },
  { name: 'transcript.ready-to-download', description: 'A transcript is ready to download.' },
  { name: 'transcript.started', description: 'Transcription started.' },
  { name: 'transcript.error', description: 'Transcription failed.' },
  { name: 'calltransfer.triggered', description: 'A call transfer was triggered.' },
  { name: 'calltransfer.initiated', description: 'A call transfer was initiated.' },
  { name: 'calltransfer.answered', description: 'A transferred call was answered.' },
  { name: 'calltransfer.completed', description: 'A call transfer completed.' },
];

/**
 * Sample `payload` objects for the events whose fields Daily documents (docs/providers/daily.md §4.6, from the
 * generated Ruby client's `*Payload` models). Other events get an empty payload from the emulator.
 */
export const DAILY_SAMPLE_PAYLOADS: Readonly<Record<string, Record<string, unknown>>> = {
  'meeting.started': {
    start_ts: 1692124183,
    meeting_id: '6d4f8b2e-1a3c-4e5f-9b7a-0c2d4e6f8a1b',
    room: 'emulator-room',
  },
  'meeting.ended': {
    start_ts: 1692124183,
    end_ts: 1692124243,
    meeting_id: '6d4f8b2e-1a3c-4e5f-9b7a-0c2d4e6f8a1b',
    room: 'emulator-room',
  },
  'participant.joined': {
    joined_at: 1692124184,
    session_id: '0c8e7a6b-5d4c-4b3a-9f2e-1d0c9b8a7f6e',
    room: 'emulator-room',
    user_id: 'user-1',
    user_name: 'Emulated participant',
    owner: false,
    will_eject_at: null,
    permissions: { hasPresence: true, canSend: true, canAdmin: false },
  },
  'participant.left': {
    joined_at: 1692124184,
    duration: 59,
    session_id: '0c8e7a6b-5d4c-4b3a-9f2e-1d0c9b8a7f6e',
    room: 'emulator-room',
    user_id: 'user-1',
    user_name: 'Emulated participant',
    owner: false,
    will_eject_at: null,
    permissions: { hasPresence: true, canSend: true, canAdmin: false },
  },
  'recording.started': {
    recording_id: '08fa0b24-9220-44c5-846c-3f116cf8e738',
    action: 'start-cloud-recording',
    layout: { preset: 'default' },
    started_by: '0c8e7a6b-5d4c-4b3a-9f2e-1d0c9b8a7f6e',
    instance_id: 'c3df927c-f738-4471-a2b7-066fa7e95a6b',
    start_ts: 1692124183,
  },
  // The example of docs/providers/daily.md §4.6, which matches Daily's docs.
  'recording.ready-to-download': {
    recording_id: '08fa0b24-9220-44c5-846c-3f116cf8e738',
    room_name: 'Xcm97xRZ08b2dePKb78g',
    start_ts: 1692124183,
    status: 'finished',
    max_participants: 1,
    duration: 9,
    s3_key: 'api-test-1j8fizhzd30c/Xcm97xRZ08b2dePKb78g/1692124183028',
  },
  'recording.error': {
    action: 'cloud-recording-err',
    error_msg: 'The recording could not be started.',
    instance_id: 'c3df927c-f738-4471-a2b7-066fa7e95a6b',
    room_name: 'emulator-room',
    timestamp: 1692124190,
  },
};
