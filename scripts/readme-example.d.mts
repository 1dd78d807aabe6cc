export function runExample(dir: string): { status: number; stdout: string; stderr: string }
export function runReadmeExample(testFileUrl: string): string
